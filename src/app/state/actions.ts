/**
 * Actions: plain module functions over the store, callable from React handlers, the URL
 * bridge and the worker client alike.
 */
import type { EngineInfo, EngineNotice } from '../../workers/protocol';
import { presetFor } from '../panels/geometry/presets';
import { configEquals, decodeHash } from './hash';
import {
  roundTo,
  SCHEMA,
  toggled,
  WHAT_BOUND,
  WHAT_DECIMALS,
  type Config,
  type EnvelopeCurveName,
  type FloatField,
  type GeometryPresetName,
  type GradViewName,
  type HalfPlaneSpec,
  type PanelName,
} from './schema';
import { useAppStore, type GeometrySolve } from './store';

function setConfig(patch: Partial<Config>): void {
  useAppStore.setState((s) => ({ config: { ...s.config, ...patch } }));
}

export function setPanel(panel: PanelName): void {
  setConfig({ panel });
}

/**
 * Switching the feasible set also moves ŵ and w to that preset's starting points (a w chosen for
 * another set may lie far outside this one) and fits the view to the new set.
 */
export function setPreset(preset: GeometryPresetName): void {
  if (preset === useAppStore.getState().config.preset) return;
  const { cons } = useAppStore.getState().config;
  const p = presetFor({ preset, cons });
  setConfig({ preset, what: [...p.defaultWhat], w: [...p.defaultW], gview: null });
  useAppStore.setState({ geometry: { solve: null, error: null } });
}

/** Sets ŵ, snapped to the schema's grid and clamped to its bound. */
export function setWhat(what: readonly [number, number]): void {
  const snap = (v: number) =>
    roundTo(Math.max(-WHAT_BOUND, Math.min(WHAT_BOUND, v)), WHAT_DECIMALS);
  const next: [number, number] = [snap(what[0]), snap(what[1])];
  const cur = useAppStore.getState().config.what;
  if (next[0] === cur[0] && next[1] === cur[1]) return;
  setConfig({ what: next });
}

/** Replaces half-plane i of the custom polygon (already validated by the schema's decoder). */
export function setHalfPlane(i: number, row: HalfPlaneSpec): void {
  const cons = useAppStore.getState().config.cons.map((r, k) => (k === i ? row : r));
  setConfig({ cons });
}

/**
 * Adds a half-plane that cuts toward ŵ: normal along ŵ's direction (or x₁ when ŵ = 0),
 * offset so ŵ is just outside. Ignored at the schema's row limit.
 */
export function addHalfPlane(): void {
  const { cons, what } = useAppStore.getState().config;
  if (cons.length >= SCHEMA.cons.maxRows) return;
  const r = Math.hypot(what[0], what[1]);
  const n: [number, number] = r > 1e-6 ? [what[0] / r, what[1] / r] : [1, 0];
  const d = SCHEMA.cons.decimals;
  const row: HalfPlaneSpec = [
    roundTo(n[0], d),
    roundTo(n[1], d),
    roundTo(Math.max(0.2, 0.8 * r), d),
  ];
  setConfig({ cons: [...cons, row] });
}

/** Removes half-plane i; the last one stays (a QP needs a constraint row to show). */
export function removeHalfPlane(i: number): void {
  const { cons } = useAppStore.getState().config;
  if (cons.length <= 1) return;
  setConfig({ cons: cons.filter((_, k) => k !== i) });
}

export function setSeed(seed: number): void {
  setConfig({ seed });
}

/** Sets the true parameter w of the Geometry panel's loss, snapped like ŵ. */
export function setW(w: readonly [number, number]): void {
  const snap = (v: number) =>
    roundTo(Math.max(-WHAT_BOUND, Math.min(WHAT_BOUND, v)), WHAT_DECIMALS);
  const next: [number, number] = [snap(w[0]), snap(w[1])];
  const cur = useAppStore.getState().config.w;
  if (next[0] === cur[0] && next[1] === cur[1]) return;
  setConfig({ w: next });
}

/** Shows or hides one gradient method's arrow. */
export function toggleGradView(m: GradViewName): void {
  setConfig({ grads: toggled(useAppStore.getState().config.grads, m, SCHEMA.grads.values) });
}

export function setGradTau(gtau: number): void {
  setConfig({ gtau: clampFloat(SCHEMA.gtau, gtau) });
}

export function setBall(ball: boolean): void {
  setConfig({ ball });
}

/** A value clamped into a float field's range and put on its grid, so the URL can carry it. */
function clampFloat(field: FloatField, v: number): number {
  if (!Number.isFinite(v)) throw new Error(`${field.label} must be a finite number, got ${v}`);
  return roundTo(Math.min(field.max, Math.max(field.min, v)), field.decimals);
}

/** Envelopes panel parameters; t₀, τ, ρ are clamped to their fields' ranges (t₀ comes from pointer drags). */
export function setEnvelope(patch: Partial<Pick<Config, 'dim' | 'tau' | 'rho' | 't0'>>): void {
  const next: Partial<Config> = {};
  if (patch.dim !== undefined) next.dim = SCHEMA.dim.decode(String(patch.dim));
  if (patch.tau !== undefined) next.tau = clampFloat(SCHEMA.tau, patch.tau);
  if (patch.rho !== undefined) next.rho = clampFloat(SCHEMA.rho, patch.rho);
  if (patch.t0 !== undefined) next.t0 = clampFloat(SCHEMA.t0, patch.t0);
  const cur = useAppStore.getState().config;
  if ((Object.keys(next) as (keyof typeof next)[]).every((k) => next[k] === cur[k])) return;
  setConfig(next);
}

/** Shows or hides one envelope curve of the Envelopes panel. */
export function toggleEnvelopeCurve(k: EnvelopeCurveName): void {
  setConfig({ curves: toggled(useAppStore.getState().config.curves, k, SCHEMA.curves.values) });
}

/** Where batched solves run; App's header control sends it on to the worker (EngineBadge.tsx). */
export function setBatchPreference(batch: Config['batch']): void {
  setConfig({ batch: SCHEMA.batch.decode(batch) });
}

/** The Benchmark panel's next run: sizes, batch sizes and engines, kept in the URL. */
export function setBenchSelection(sel: {
  sizes: readonly string[];
  batches: readonly number[];
  engines: readonly Config['bengines'][number][];
}): void {
  setConfig({
    bsizes: SCHEMA.bsizes.decode(sel.sizes.join(',')),
    bbatches: SCHEMA.bbatches.decode(sel.batches.join(',')),
    bengines: SCHEMA.bengines.decode(sel.engines.join(',')),
  });
}

/**
 * Replaces the configuration with the one in the hash; unreadable parameters keep their defaults
 * and are reported, not guessed. A hash that reads cleanly as the config already shown (the URL
 * just rewritten to the view) changes nothing, so it does not clear the notices about the last one.
 */
export function applyHash(hash: string): void {
  const { config, errors } = decodeHash(hash);
  const prev = useAppStore.getState().config;
  if (errors.length === 0 && configEquals(config, prev)) return;
  useAppStore.setState({ config, urlErrors: errors });
  if (config.preset !== prev.preset)
    useAppStore.setState({ geometry: { solve: null, error: null } });
}

export function dismissUrlErrors(): void {
  useAppStore.setState({ urlErrors: [] });
}

export function workerReady(engine: EngineInfo, restarts: number): void {
  useAppStore.setState((s) => ({ engine, worker: { ...s.worker, state: 'ready', restarts } }));
}

export function workerCrashed(message: string, willRestart: boolean): void {
  useAppStore.setState((s) => ({
    worker: { ...s.worker, state: willRestart ? 'starting' : 'crashed', message },
  }));
}

/** The worker's engine changed or reported something (device loss, a GPU batch re-solved on the CPU). */
export function engineEvent(engine: EngineInfo, notice?: EngineNotice): void {
  useAppStore.setState((s) => ({ engine, engineNotice: notice ?? s.engineNotice }));
}

export function dismissEngineNotice(): void {
  useAppStore.setState({ engineNotice: null });
}

export function dismissWorkerMessage(): void {
  useAppStore.setState((s) => ({ worker: { ...s.worker, message: undefined } }));
}

/** Stores a finished solve; one for a preset the user already left is dropped. */
export function setGeometrySolve(solve: GeometrySolve): void {
  if (solve.preset !== useAppStore.getState().config.preset) return;
  useAppStore.setState({ geometry: { solve, error: null } });
}

export function setGeometryError(error: string): void {
  useAppStore.setState((s) => ({ geometry: { ...s.geometry, error } }));
}
