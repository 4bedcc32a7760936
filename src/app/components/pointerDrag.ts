/**
 * A drag on an SVG with pointer capture, so that the drag goes on outside the element: `start`
 * decides on a primary-button press whether to drag (and may prepare, e.g. pick the handle);
 * `move` runs on the press and on every move while captured; `end` on release or cancel.
 */
export function pointerDrag(
  node: SVGSVGElement,
  handlers: {
    start(ev: PointerEvent): boolean;
    move(ev: PointerEvent): void;
    end?(): void;
  },
): void {
  node.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0 || !handlers.start(ev)) return;
    node.setPointerCapture(ev.pointerId);
    handlers.move(ev);
    ev.preventDefault();
  });
  node.addEventListener('pointermove', (ev) => {
    if (node.hasPointerCapture(ev.pointerId)) handlers.move(ev);
  });
  const end = (ev: PointerEvent) => {
    if (node.hasPointerCapture(ev.pointerId)) node.releasePointerCapture(ev.pointerId);
    handlers.end?.();
  };
  node.addEventListener('pointerup', end);
  node.addEventListener('pointercancel', end);
}
