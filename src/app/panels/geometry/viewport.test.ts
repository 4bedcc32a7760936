import { describe, expect, it } from 'vitest';
import {
  fitView,
  panByPixels,
  pinToFrame,
  scalesFor,
  showsAll,
  zoomAbout,
  type Frame,
} from './viewport';
import { leastSquaresPoint } from './geometry';
import type { Vec2 } from './presets';

const square: Frame = { width: 500, height: 500, pad: 16 };
const wide: Frame = { width: 1200, height: 600, pad: 16 };

describe('the Geometry view', () => {
  it('maps plot to pixels and back, isometrically, y up', () => {
    const s = scalesFor({ cx: 1, cy: -2, span: 4 }, wide);
    expect(s.ppu).toBeCloseTo((600 - 32) / 4, 12);
    expect(s.toPx([1, -2])).toEqual([600, 300]);
    const q = s.toPx([2, -1]);
    expect(q[0] - 600).toBeCloseTo(s.ppu, 9);
    expect(q[1] - 300).toBeCloseTo(-s.ppu, 9);
    const p = s.fromPx([123, 456]);
    const back = s.toPx(p);
    expect(back[0]).toBeCloseTo(123, 9);
    expect(back[1]).toBeCloseTo(456, 9);
  });

  it('fits any points with a margin, on square and wide frames', () => {
    const pts: Vec2[] = [
      [-7, -4],
      [6, 5],
      [0.2, 0.1],
    ];
    for (const f of [square, wide]) {
      const v = fitView(pts, f);
      expect(showsAll(v, f, pts, 0.1)).toBe(true);
      // Tight: the points fill the frame in at least one direction (up to the margins).
      const { rect } = scalesFor(v, f);
      const fillX = 13 / (rect.xmax - rect.xmin);
      const fillY = 9 / (rect.ymax - rect.ymin);
      expect(Math.max(fillX, fillY)).toBeGreaterThan(0.65);
    }
    // One point still shows its surroundings; no points give a default view.
    expect(fitView([[3, 3]], square).span).toBe(1);
    expect(fitView([], square)).toEqual({ cx: 0, cy: 0, span: 4 });
    expect(fitView([[NaN, 1]], square)).toEqual({ cx: 0, cy: 0, span: 4 });
  });

  it('zooms about a point that stays put on screen, and pans by pixels', () => {
    const v = { cx: 0.5, cy: 0.25, span: 3 };
    const at: Vec2 = [1.2, -0.7];
    const before = scalesFor(v, wide).toPx(at);
    const z = zoomAbout(v, 2.5, at);
    expect(z.span).toBeCloseTo(1.2, 12);
    const after = scalesFor(z, wide).toPx(at);
    expect(after[0]).toBeCloseTo(before[0], 9);
    expect(after[1]).toBeCloseTo(before[1], 9);
    const p = panByPixels(v, wide, 40, -20);
    const s0 = scalesFor(v, wide);
    const s1 = scalesFor(p, wide);
    const q0 = s0.toPx(at);
    const q1 = s1.toPx(at);
    expect(q1[0] - q0[0]).toBeCloseTo(40, 9);
    expect(q1[1] - q0[1]).toBeCloseTo(-20, 9);
  });

  it('pins a point outside the frame to its inset border, along the line from the centre', () => {
    const f: Frame = { width: 400, height: 300, pad: 16 };
    const inside = pinToFrame([100, 100], f, 30);
    expect(inside).toEqual({ at: [100, 100], pinned: false, angle: 0 });
    const right = pinToFrame([1000, 150], f, 30);
    expect(right.pinned).toBe(true);
    expect(right.at).toEqual([370, 150]);
    expect(right.angle).toBeCloseTo(0, 12);
    const corner = pinToFrame([-800, -650], f, 30);
    expect(corner.at[0]).toBeGreaterThanOrEqual(30 - 1e-9);
    expect(corner.at[1]).toBeGreaterThanOrEqual(30 - 1e-9);
    expect(Math.min(corner.at[0] - 30, corner.at[1] - 30)).toBeCloseTo(0, 9);
    // On the segment from the centre (200, 150) toward the point.
    const t = (corner.at[0] - 200) / (-800 - 200);
    expect(corner.at[1]).toBeCloseTo(150 + t * (-650 - 150), 9);
  });

  it('draws ADMM’s z as the point whose constraint values best match it', () => {
    const rows = [{ a: [1, 0] as Vec2 }, { a: [0, 1] as Vec2 }, { a: [1, 1] as Vec2 }];
    // Consistent z (= A x for x = (0.3, -0.2)): that x, exactly.
    const x = leastSquaresPoint(rows, [0.3, -0.2, 0.1]);
    expect(x[0]).toBeCloseTo(0.3, 9);
    expect(x[1]).toBeCloseTo(-0.2, 9);
    // One row: the shortest point on its line.
    const one = leastSquaresPoint([{ a: [3, 4] }], [10]);
    expect(one[0]).toBeCloseTo(1.2, 6);
    expect(one[1]).toBeCloseTo(1.6, 6);
  });
});
