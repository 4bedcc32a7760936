/**
 * Pointer input of the Geometry plot, mouse, pen and touch alike (pointer events with capture, so
 * a drag goes on past the plot's edge): press a handle (ŵ or w, also when it is pinned to the edge)
 * and drag it; drag the background to pan; pinch with two fingers to zoom; the wheel zooms about
 * the pointer; a tap or click on the background puts ŵ there.
 */
import type { Vec2 } from './presets';
import { panByPixels, zoomAbout, type Frame, type Scales, type View } from './viewport';

export type HandleId = 'what' | 'w';

export interface DrawnHandle {
  id: HandleId;
  /** Where it is drawn, pixels (pinned to the edge when the point is outside the view). */
  at: Vec2;
  pinned: boolean;
  /** The point itself, plot coordinates. */
  data: Vec2;
}

export interface InteractionHost {
  scales(): Scales;
  frame(): Frame;
  view(): View;
  handles(): DrawnHandle[];
  /** How far from a handle a press still grabs it, by pointer kind. */
  grabRadius(pointerType: string): number;
  moveHandle(id: HandleId, to: Vec2): void;
  /** A click or tap on the background. */
  place(at: Vec2): void;
  /** The view during a gesture (null when the gesture ends). */
  liveView(view: View | null): void;
  /** The view a gesture (or a wheel turn) ended on. */
  commitView(view: View): void;
  /** The handle being dragged, or null when the drag ends. */
  dragging(id: HandleId | null): void;
}

/** A press that moves less than this many pixels is a click, not a pan. */
const CLICK_SLOP = 4;

type Mode =
  | { kind: 'none' }
  | { kind: 'handle'; id: HandleId; offset: Vec2 }
  | { kind: 'pan'; start: Vec2; startView: View; moved: boolean; view: View }
  | { kind: 'pinch'; startView: View; dist: number; anchor: Vec2; view: View };

/** Wires pointer and wheel input on `node`; returns a function that removes it. */
export function attachInteraction(node: SVGSVGElement, host: InteractionHost): () => void {
  const pointers = new Map<number, Vec2>();
  let mode: Mode = { kind: 'none' };

  const local = (ev: PointerEvent | WheelEvent): Vec2 => {
    const r = node.getBoundingClientRect();
    return [ev.clientX - r.left, ev.clientY - r.top];
  };
  const two = (): [Vec2, Vec2] => {
    const [a, b] = [...pointers.values()];
    return [a, b];
  };

  const startPinch = () => {
    const [a, b] = two();
    const mid: Vec2 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const view = host.view();
    mode = {
      kind: 'pinch',
      startView: view,
      dist: Math.max(1, Math.hypot(a[0] - b[0], a[1] - b[1])),
      anchor: host.scales().fromPx(mid),
      view,
    };
  };

  const onDown = (ev: PointerEvent) => {
    if (ev.pointerType === 'mouse' && ev.button !== 0) return;
    const p = local(ev);
    pointers.set(ev.pointerId, p);
    node.setPointerCapture(ev.pointerId);
    ev.preventDefault();
    if (pointers.size === 2) {
      if (mode.kind === 'handle') host.dragging(null);
      startPinch();
      return;
    }
    if (pointers.size > 2) return;
    const s = host.scales();
    const r = host.grabRadius(ev.pointerType);
    let best: DrawnHandle | null = null;
    let bestD = Infinity;
    for (const h of host.handles()) {
      const d = Math.hypot(p[0] - h.at[0], p[1] - h.at[1]);
      if (d <= r && d < bestD) [best, bestD] = [h, d];
    }
    if (best) {
      // A pinned handle comes to the pointer; a visible one keeps its offset (no jump on grab).
      const under = s.fromPx(p);
      const offset: Vec2 = best.pinned
        ? [0, 0]
        : [best.data[0] - under[0], best.data[1] - under[1]];
      mode = { kind: 'handle', id: best.id, offset };
      host.dragging(best.id);
      if (best.pinned) host.moveHandle(best.id, under);
      return;
    }
    const view = host.view();
    mode = { kind: 'pan', start: p, startView: view, moved: false, view };
  };

  const onMove = (ev: PointerEvent) => {
    if (!pointers.has(ev.pointerId)) return;
    const p = local(ev);
    pointers.set(ev.pointerId, p);
    if (mode.kind === 'handle') {
      const at = host.scales().fromPx(p);
      host.moveHandle(mode.id, [at[0] + mode.offset[0], at[1] + mode.offset[1]]);
    } else if (mode.kind === 'pan') {
      const dx = p[0] - mode.start[0];
      const dy = p[1] - mode.start[1];
      if (!mode.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
      mode.moved = true;
      mode.view = panByPixels(mode.startView, host.frame(), dx, dy);
      host.liveView(mode.view);
    } else if (mode.kind === 'pinch' && pointers.size >= 2) {
      const [a, b] = two();
      const mid: Vec2 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      const factor = Math.max(1, Math.hypot(a[0] - b[0], a[1] - b[1])) / mode.dist;
      // Zoomed about the anchor, then moved so that the anchor stays under the fingers' midpoint.
      const zoomed = zoomAbout(mode.startView, factor, mode.anchor);
      const f = host.frame();
      const ppu = (Math.min(f.width, f.height) - 2 * f.pad) / zoomed.span;
      mode.view = {
        span: zoomed.span,
        cx: mode.anchor[0] - (mid[0] - f.width / 2) / ppu,
        cy: mode.anchor[1] + (mid[1] - f.height / 2) / ppu,
      };
      host.liveView(mode.view);
    }
  };

  const onUp = (ev: PointerEvent) => {
    if (!pointers.has(ev.pointerId)) return;
    const p = local(ev);
    pointers.delete(ev.pointerId);
    if (node.hasPointerCapture(ev.pointerId)) node.releasePointerCapture(ev.pointerId);
    const cancelled = ev.type === 'pointercancel';
    if (mode.kind === 'handle') {
      host.dragging(null);
      mode = { kind: 'none' };
    } else if (mode.kind === 'pan') {
      if (mode.moved) host.commitView(mode.view);
      else if (!cancelled) host.place(host.scales().fromPx(p));
      host.liveView(null);
      mode = { kind: 'none' };
    } else if (mode.kind === 'pinch' && pointers.size < 2) {
      host.commitView(mode.view);
      host.liveView(null);
      // The finger left on the glass starts nothing until it is lifted too.
      mode = { kind: 'none' };
    }
  };

  const onWheel = (ev: WheelEvent) => {
    ev.preventDefault();
    const unit = ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? 400 : 1;
    const factor = Math.exp((-ev.deltaY * unit) / 500);
    if (!Number.isFinite(factor) || factor === 1) return;
    host.commitView(zoomAbout(host.view(), factor, host.scales().fromPx(local(ev))));
  };

  node.addEventListener('pointerdown', onDown);
  node.addEventListener('pointermove', onMove);
  node.addEventListener('pointerup', onUp);
  node.addEventListener('pointercancel', onUp);
  node.addEventListener('wheel', onWheel, { passive: false });
  return () => {
    node.removeEventListener('pointerdown', onDown);
    node.removeEventListener('pointermove', onMove);
    node.removeEventListener('pointerup', onUp);
    node.removeEventListener('pointercancel', onUp);
    node.removeEventListener('wheel', onWheel);
  };
}
