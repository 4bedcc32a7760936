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

/** What the header says about the engine: a plain sentence, and the details on demand. */
export interface BadgeView {
  /** One plain sentence: where solving happens and, when it is not the GPU, why. */
  text: string;
  /** The same with every detail, for the tooltip. */
  title: string;
  tone: string;
  batches: '' | 'gpu' | 'cpu';
  /** Why batches run where they do, when that is worth a word (decideRoute's note). */
  note?: string;
  /** The details, one line each: the engine, its adapter, why WebGPU is not used. */
  details: string[];
}

/** The header badge, from what the worker reported, its state and the page's route. */
export function badgeView(
  engine: EngineInfo | null,
  worker: { state: 'starting' | 'ready' | 'crashed' },
  route: Route,
): BadgeView {
  if (worker.state === 'crashed')
    return {
      text: 'Solver stopped: reload the page',
      title: 'The solver worker failed repeatedly and was not restarted. Reload the page.',
      tone: 'crashed',
      batches: '',
      details: ['The solver worker failed repeatedly and was not restarted.'],
    };
  if (!engine || worker.state === 'starting')
    return {
      text: 'Starting the solver…',
      title: 'The solver worker is starting.',
      tone: 'starting',
      batches: '',
      details: ['The solver worker is starting and looking for a GPU.'],
    };
  const batch = decideRoute(route, engine, 'batch');
  const gpu = engine.kind === 'gpu';
  const text =
    route === 'cpu'
      ? 'Solving on: the CPU (as chosen)'
      : !gpu
        ? 'Solving on: the CPU, because this browser has no working WebGPU'
        : engine.software
          ? route === 'gpu'
            ? 'Solving on: WebGPU, a software emulation (as chosen)'
            : 'Solving on: the CPU, because this browser’s WebGPU is a software emulation'
          : 'Solving on: your GPU (WebGPU)';
  const details = [
    `Engine: ${engine.label}`,
    `Hardware: ${engine.adapter}${engine.software ? ' (a software adapter: the GPU emulated on the CPU, slower than the CPU engine itself)' : ''}`,
    ...(engine.fallbackReason ? [`WebGPU unavailable: ${engine.fallbackReason}`] : []),
    `Batches (Envelopes redraws) run on ${batch.engine === 'gpu' ? 'WebGPU' : 'the CPU'}` +
      (batch.note ? ` (${batch.note})` : '') +
      '.',
  ];
  const title =
    `Computed by the ${gpu ? 'WebGPU' : 'CPU'} engine on ${engine.adapter}` +
    (engine.software ? ' (a software adapter: the GPU emulated on the CPU)' : '') +
    (engine.fallbackReason ? `. WebGPU unavailable: ${engine.fallbackReason}` : '') +
    `. Batches run on ${batch.engine === 'gpu' ? 'WebGPU' : 'the CPU'}` +
    (batch.note ? ` (${batch.note})` : '') +
    `.\n\n${ROUTING_TEXT}`;
  return {
    text,
    title,
    tone: engine.kind,
    batches: batch.engine,
    ...(batch.note ? { note: batch.note } : {}),
    details,
  };
}

/** How routes apply, for the badge's tooltip. */
export const ROUTING_TEXT =
  'Every job runs its forward solve and its backward pass on one engine. Auto: batches (Envelopes redraws) on WebGPU when the adapter is a hardware GPU, and single interactive problems (Geometry) on the CPU, which answers one tiny QP faster than a GPU round trip. WebGPU: everything on the GPU (f32 ADMM; a batch that asks for polishing is polished in Float64 and any problem whose polish fails is solved again on the CPU). CPU: everything in Float64. Tight tolerances without polishing, and any batch the GPU fails on, are solved on the CPU; each result says which engine computed it.';
