/**
 * Actions of presenter mode, the Geometry view and "Step through ADMM": plain module functions
 * over the store, as in actions.ts.
 */
import { SCHEMA, type Config, type ViewTriple } from './schema';
import { useAppStore } from './store';

function setConfig(patch: Partial<Config>): void {
  useAppStore.setState((s) => ({ config: { ...s.config, ...patch } }));
}

export function setPresent(present: boolean): void {
  if (useAppStore.getState().config.present !== present) setConfig({ present });
}

/**
 * The Geometry view: null fits the set, ŵ and w; a zoom is put on the URL's grid and clamped to the
 * field's bounds, so any pan or pinch can be written to the link.
 */
export function setGeometryView(view: ViewTriple | null): void {
  const f = SCHEMA.gview;
  let next: ViewTriple | null = null;
  if (view !== null) {
    if (!view.every(Number.isFinite)) return;
    const c = (v: number) => Math.max(-f.bound, Math.min(f.bound, v));
    const span = Math.max(f.minSpan, Math.min(f.maxSpan, view[2]));
    next = f.decode(f.encode([c(view[0]), c(view[1]), span]));
  }
  const cur = useAppStore.getState().config.gview;
  if (f.encode(cur) !== f.encode(next)) setConfig({ gview: next });
}

export function setWalkOpen(admm: boolean): void {
  if (useAppStore.getState().config.admm !== admm) setConfig({ admm });
}

/** The step-through's ρ, σ and adaptive ρ; ρ and σ clamped into their fields' ranges. */
export function setWalkSettings(patch: Partial<Pick<Config, 'arho' | 'asigma' | 'aadapt'>>): void {
  const next: Partial<Config> = {};
  const clamp = (f: typeof SCHEMA.arho | typeof SCHEMA.asigma, v: number) =>
    f.decode(String(Math.min(f.max, Math.max(f.min, v))));
  if (patch.arho !== undefined && Number.isFinite(patch.arho))
    next.arho = clamp(SCHEMA.arho, patch.arho);
  if (patch.asigma !== undefined && Number.isFinite(patch.asigma))
    next.asigma = clamp(SCHEMA.asigma, patch.asigma);
  if (patch.aadapt !== undefined) next.aadapt = patch.aadapt;
  const cur = useAppStore.getState().config;
  if ((Object.keys(next) as (keyof typeof next)[]).every((k) => next[k] === cur[k])) return;
  setConfig(next);
}
