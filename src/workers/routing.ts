/**
 * Where work runs, as pure functions shared by the worker (which routes) and the page (whose badge
 * says where work goes): the same inputs give the same answer on both sides. The route (the URL's
 * `batch` field: auto / WebGPU / CPU) travels with every request; nothing about it is worker state.
 */

/**
 * The page's choice (the `batch` URL field): 'auto' = WebGPU for batches on a hardware adapter, the
 * CPU engine otherwise; 'gpu' / 'cpu' force one engine for every job, forward and backward.
 */
export const ROUTES = ['auto', 'gpu', 'cpu'] as const;
export type Route = (typeof ROUTES)[number];

/** What the worker found: the device, or the CPU engine with the reason (drives the badge). */
export interface EngineInfo {
  /** Whether a WebGPU device is in use at all. */
  kind: 'cpu' | 'gpu';
  /** Short label, e.g. "CPU (Float64)" or "WebGPU — google swiftshader". */
  label: string;
  /** Hardware description: the adapter name for WebGPU, the arithmetic for the CPU. */
  adapter: string;
  /** Why WebGPU is not used, when the worker fell back. */
  fallbackReason?: string;
  /** The WebGPU adapter emulates a GPU in software (isSoftwareAdapter, src/gpu/browser.ts). */
  software?: boolean;
}

/** A batch of problems, or one small interactive problem (the Geometry panel's). */
export type Workload = 'batch' | 'single';

export interface RouteDecision {
  engine: 'gpu' | 'cpu';
  /** Why it runs there, when that is worth a word (a software adapter, a choice, no WebGPU). */
  note?: string;
}

export const CPU_CHOSEN = 'CPU chosen';
/** What auto says on a software adapter. */
export const SOFTWARE_NOTE = 'software adapter: batches on CPU; choose WebGPU to use it';
export const SINGLE_NOTE = 'one small problem: the CPU answers faster than a GPU round trip';

/** Where a job goes under a route, given the device (null without WebGPU). */
export function decideRoute(
  route: Route,
  device: Pick<EngineInfo, 'kind' | 'software'> | null,
  workload: Workload,
): RouteDecision {
  const gpu = device?.kind === 'gpu' ? device : null;
  if (route === 'cpu') return { engine: 'cpu', note: CPU_CHOSEN };
  if (!gpu)
    return route === 'gpu'
      ? { engine: 'cpu', note: 'WebGPU chosen but unavailable: on the CPU' }
      : { engine: 'cpu' };
  if (route === 'gpu')
    return gpu.software
      ? { engine: 'gpu', note: 'WebGPU chosen: on a software adapter' }
      : { engine: 'gpu' };
  if (workload === 'single') return { engine: 'cpu', note: SINGLE_NOTE };
  return gpu.software ? { engine: 'cpu', note: SOFTWARE_NOTE } : { engine: 'gpu' };
}

/** The header badge, from what the worker reported, its state and the page's route. */
export function badgeView(
  engine: EngineInfo | null,
  worker: { state: 'starting' | 'ready' | 'crashed' },
  route: Route,
): { text: string; title: string; tone: string; batches: '' | 'gpu' | 'cpu'; note?: string } {
  if (worker.state === 'crashed')
    return {
      text: 'Engine: stopped',
      title: 'The solver worker failed repeatedly and was not restarted. Reload the page.',
      tone: 'crashed',
      batches: '',
    };
  if (!engine || worker.state === 'starting')
    return {
      text: 'Engine: starting…',
      title: 'The solver worker is starting.',
      tone: 'starting',
      batches: '',
    };
  const batch = decideRoute(route, engine, 'batch');
  const title =
    `Computed by the ${engine.kind === 'gpu' ? 'WebGPU' : 'CPU'} engine on ${engine.adapter}` +
    (engine.software ? ' (a software adapter: the GPU emulated on the CPU)' : '') +
    (engine.fallbackReason ? `. WebGPU unavailable: ${engine.fallbackReason}` : '') +
    `. Batches run on ${batch.engine === 'gpu' ? 'WebGPU' : 'the CPU'}` +
    (batch.note ? ` (${batch.note})` : '') +
    `.\n\n${ROUTING_TEXT}`;
  return {
    text: `Engine: ${engine.label}`,
    title,
    tone: engine.kind,
    batches: batch.engine,
    ...(batch.note ? { note: batch.note } : {}),
  };
}

/** How routes apply, for the badge's tooltip. */
export const ROUTING_TEXT =
  'Every job runs its forward solve and its backward pass on one engine. Auto: batches (Envelopes redraws) on WebGPU when the adapter is a hardware GPU, and single interactive problems (Geometry) on the CPU, which answers one tiny QP faster than a GPU round trip. WebGPU: everything on the GPU (f32 ADMM; a batch that asks for polishing is polished in Float64 and any problem whose polish fails is solved again on the CPU). CPU: everything in Float64. Tight tolerances without polishing, and any batch the GPU fails on, are solved on the CPU; each result says which engine computed it.';
