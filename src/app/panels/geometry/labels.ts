/**
 * Label placement for the Geometry plot: each label has candidate positions (around its point, or
 * along its edge), and labels are placed greedily in priority order at the first candidate that
 * overlaps nothing placed so far, no marker and no other label, and stays in the frame. When every
 * candidate collides, the one with the least overlap wins. Pure and deterministic (unit-tested).
 */
import type { Vec2 } from './presets';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LabelRequest {
  id: string;
  /** Width and height of the label's box, pixels. */
  w: number;
  h: number;
  /** Candidate centres, best first. */
  candidates: Vec2[];
}

/** Width of a text label, estimated from its length (the placement must not wait for layout). */
export function textBox(text: string, fontPx: number): { w: number; h: number } {
  const chars = Array.from(text).length;
  return { w: Math.max(fontPx, chars * fontPx * 0.62) + 4, h: fontPx * 1.2 };
}

const boxAt = (c: Vec2, w: number, h: number): Box => ({ x: c[0] - w / 2, y: c[1] - h / 2, w, h });

export function overlap(a: Box, b: Box): number {
  const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return dx > 0 && dy > 0 ? dx * dy : 0;
}

/** Centres around a point at `r` pixels: right-up first, then the other seven directions. */
export function around(p: Vec2, r: number, w: number, h: number): Vec2[] {
  const dirs: Vec2[] = [
    [1, -1],
    [1, 1],
    [-1, -1],
    [-1, 1],
    [0, -1],
    [1, 0],
    [0, 1],
    [-1, 0],
  ];
  return dirs.map(([dx, dy]) => [p[0] + dx * (r + w / 2), p[1] + dy * (r + h / 2)]);
}

/**
 * Places labels in order; `obstacles` are boxes to keep clear (markers, handles). Returns each
 * label's box, in the same order as the requests.
 */
export function placeLabels(
  requests: readonly LabelRequest[],
  obstacles: readonly Box[],
  frame: { width: number; height: number },
): Box[] {
  const placed: Box[] = [];
  for (const r of requests) {
    let best: Box | null = null;
    let bestCost = Infinity;
    for (const c of r.candidates) {
      const b = boxAt(c, r.w, r.h);
      const outside =
        Math.max(0, -b.x) +
        Math.max(0, -b.y) +
        Math.max(0, b.x + b.w - frame.width) +
        Math.max(0, b.y + b.h - frame.height);
      let cost = outside * 1000;
      for (const o of obstacles) cost += overlap(b, o);
      for (const o of placed) cost += overlap(b, o);
      if (cost < bestCost) {
        best = b;
        bestCost = cost;
        if (cost === 0) break;
      }
    }
    placed.push(best ?? boxAt(r.candidates[0] ?? [0, 0], r.w, r.h));
  }
  return placed;
}
