import { describe, expect, it } from 'vitest';
import { around, overlap, placeLabels, textBox, type Box, type LabelRequest } from './labels';
import type { Vec2 } from './presets';

const frame = { width: 400, height: 300 };

describe('label placement', () => {
  it('keeps labels of crowded points off each other and off the markers', () => {
    // Five points within 20 px (the clutter near a vertex), each with a label.
    const pts: Vec2[] = [
      [200, 150],
      [210, 155],
      [195, 160],
      [205, 142],
      [215, 148],
    ];
    const markers: Box[] = pts.map(([x, y]) => ({ x: x - 6, y: y - 6, w: 12, h: 12 }));
    const reqs: LabelRequest[] = pts.map((p, i) => {
      const b = textBox(['x*', 'ŵ', 'w', 'x¹²', 'LPGD'][i], 14);
      return { id: String(i), ...b, candidates: around(p, 10, b.w, b.h) };
    });
    const boxes = placeLabels(reqs, markers, frame);
    for (let i = 0; i < boxes.length; i++) {
      for (const m of markers) expect(overlap(boxes[i], m)).toBe(0);
      for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i], boxes[j])).toBe(0);
    }
  });

  it('stays inside the frame near its corner, and takes the first free candidate', () => {
    const b = textBox('ŵ (12.00, −4.00)', 14);
    const [box] = placeLabels(
      [{ id: 'a', ...b, candidates: around([395, 5], 12, b.w, b.h) }],
      [],
      frame,
    );
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.w).toBeLessThanOrEqual(frame.width);
    expect(box.y + box.h).toBeLessThanOrEqual(frame.height);
    const first = placeLabels([{ id: 'b', w: 10, h: 10, candidates: [[50, 50]] }], [], frame);
    expect(first[0]).toEqual({ x: 45, y: 45, w: 10, h: 10 });
  });

  it('when every candidate collides, takes the least overlap', () => {
    const obstacles: Box[] = [{ x: 0, y: 0, w: 100, h: 100 }];
    const [box] = placeLabels(
      [
        {
          id: 'c',
          w: 20,
          h: 20,
          candidates: [
            [50, 50],
            [95, 50],
          ],
        },
      ],
      obstacles,
      frame,
    );
    expect(box.x).toBe(85);
  });
});
