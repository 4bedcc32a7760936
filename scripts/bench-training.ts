/**
 * The training lab's speed and memory (issue 9 §5), as figures printed, never asserted:
 *
 *   npm run bench:training [-- --only race,ratio,memory,bpqp,gpu] [--epochs-memory 200]
 *
 *  - race: the default race (portfolio, λ = 0.1, 20 assets, 500 samples, 20 epochs, 5 methods) on
 *    the CPU engine, wall time.
 *  - ratio: a sample's forward solve + exact backward inside training (the race's last epoch) over
 *    the same pair on a bare, warm CPU handle: the same samples, the same predictions, each solve
 *    started from the sample's previous-epoch solution, as in training.
 *  - memory: heap after a forced GC every 20 epochs of a 200-epoch run (needs --expose-gc).
 *  - bpqp: backward time per sample against problem size: exact KKT (reduced, LDLᵀ), BPQP (ADMM on
 *    the backward QP, with and without refinement) and BPQP's "Exact" baseline (the full KKT
 *    system of Eq. 3 by LU), with BPQP's largest deviation from exact KKT.
 *  - gpu: the mini-batch size from which the WebGPU engine's solve + backward per sample beats the
 *    CPU's, on a hardware adapter; on a software adapter (SwiftShader) "not measured" unless
 *    --force-gpu.
 */
import { CpuEngine } from '../src/solvers/cpu-engine';
import type { Engine, QpHandle } from '../src/solvers/engine';
import type { QpResult, WarmStart } from '../src/solvers/qp/types';
import { solveQp } from '../src/solvers/qp';
import { kktBackward } from '../src/solvers/grad/kkt';
import { bpqpBackward } from '../src/solvers/grad/bpqp';
import { relError } from '../src/solvers/grad/vec';
import { Rng } from '../src/solvers/grad/rng';
import { Mlp, mlpSpec } from '../src/solvers/learn/mlp';
import { gatherRows } from '../src/solvers/learn/batches';
import { defaultSettings, type ExperimentSettings } from '../src/solvers/learn/lab/experiments';
import { ExperimentRunner, type RunSnapshot } from '../src/solvers/learn/lab/runner';
import { RecordBook, buildReport } from '../src/solvers/learn/lab/report';
import { buildProblem, type LabProblem } from '../src/solvers/learn/lab/problems';
import { epochBatches } from '../src/solvers/learn/lab/trainer';
import { labSettings } from '../src/solvers/learn/lab/layer';
import { fullKktDq } from '../src/solvers/learn/lab/full-kkt';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? '') : undefined;
};
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    'usage: npm run bench:training [-- --only race,ratio,memory,bpqp,gpu] [--epochs-memory N] [--force-gpu]',
  );
  process.exit(0);
}
const SECTIONS = ['race', 'ratio', 'memory', 'bpqp', 'gpu'];
const only = (flag('only') ?? SECTIONS.join(',')).split(',');
const bad = only.find((s) => !SECTIONS.includes(s));
if (bad) {
  console.error(`bench-training: unknown section '${bad}' (sections: ${SECTIONS.join(', ')})`);
  process.exit(2);
}
const cpu = new CpuEngine();
const ms = (v: number, d = 3) => v.toFixed(d);

interface RaceResult {
  seconds: number;
  settings: ExperimentSettings;
  book: RecordBook;
  snaps: RunSnapshot[];
}

async function race(settings: ExperimentSettings): Promise<RaceResult> {
  const book = new RecordBook();
  const snaps: RunSnapshot[] = [];
  const runner = new ExperimentRunner(
    settings,
    { engine: cpu, cpu },
    {
      onJob: (i) => book.job(i),
      onEpoch: (j, m, r) => book.epoch(j, m, r),
      onSnapshot: (s) => {
        snaps.push(structuredClone(s));
        if (snaps.length > 2) snaps.shift();
      },
    },
  );
  const t0 = performance.now();
  while ((await runner.step()) !== 'done');
  return { seconds: (performance.now() - t0) / 1000, settings, book, snaps };
}

/** Predictions of a method's network (weights from a snapshot) for samples idx. */
function predict(p: LabProblem, s: ExperimentSettings, params: Float64Array, idx: Int32Array) {
  const net = new Mlp(
    mlpSpec(p.ds.featureSize, s.hidden, p.ds.structure.n, 'leaky-relu', p.scaling.cost),
    params,
  );
  return net.predict(gatherRows(p.ds.features, p.ds.featureSize, idx), idx.length);
}

/**
 * Per-sample time of the exact method's solve + backward in the race's last epoch, and of the same
 * pair on a bare warm handle: the same samples, in the same mini-batches, with the same predictions,
 * each solve started from the sample's solution at the previous epoch's predictions (as in training).
 */
async function insideAndAlone(r: RaceResult): Promise<{ inside: number; alone: number }> {
  const s = r.settings;
  const [before, last] = r.snaps;
  // Epochs 2 and later (the first solves start cold); the least loaded of them.
  const inside = Math.min(
    ...r.book.jobs[0].epochs.exact!.slice(1).map((e) => (e.forward_ms + e.backward_ms) / e.samples),
  );
  const p = await buildProblem({
    kind: 'portfolio',
    size: s.size,
    samples: s.samples,
    lambda: s.lambdas[0],
    seed: s.seed,
  });
  const n = p.ds.structure.n;
  const handle: QpHandle = await cpu.setup(p.ds.structure, labSettings(p.ds.structure));
  const batches = epochBatches(p.splits.train, s.batchSize, s.seed, last.trainer.epoch);
  const warm: (WarmStart | undefined)[] = new Array(p.ds.size);
  const run = async (params: Float64Array) => {
    let t = 0;
    for (const idx of batches) {
      const q = predict(p, s, params, idx);
      let t0 = performance.now();
      handle.update(Array.from(idx, (_, k) => ({ q: q.subarray(k * n, (k + 1) * n) })));
      const res = await handle.solve(Array.from(idx, (i) => warm[i]));
      t += performance.now() - t0;
      const g = res.map((x, k) => p.gradient(idx[k], x.x));
      t0 = performance.now();
      await handle.backward(g, 'kkt');
      t += performance.now() - t0;
      res.forEach((x, k) => (warm[idx[k]] = { x: x.x, y: x.y }));
    }
    return t / p.splits.train.length;
  };
  // JIT warm-up; then, three times, each sample's previous-epoch solution and the timed epoch.
  await run(before.trainer.methods.exact!.params);
  const times: number[] = [];
  for (let k = 0; k < 3; k++) {
    await run(before.trainer.methods.exact!.params);
    times.push(await run(last.trainer.methods.exact!.params));
  }
  const alone = Math.min(...times);
  handle.dispose();
  return { inside, alone };
}

async function ratioSection(first: RaceResult): Promise<void> {
  console.log('\n## Solve + backward inside training against a warm handle alone (exact KKT)\n');
  console.log(
    'Each row: a 3-epoch race with the default settings (5 methods) and the least loaded of its epochs 2–3, then the same samples and predictions on a bare warm handle, least loaded of 3 repeats (the machine is shared: wall times vary with its load).\n',
  );
  console.log('| run | inside training ms/sample | warm handle alone ms/sample | ratio |');
  console.log('| ---: | ---: | ---: | ---: |');
  const rows: { inside: number; alone: number }[] = [];
  for (let k = 0; k < 3; k++) {
    const r = k === 0 ? first : await race({ ...first.settings });
    const row = await insideAndAlone(r);
    rows.push(row);
    console.log(
      `| ${k + 1} | ${ms(row.inside)} | ${ms(row.alone)} | ${(row.inside / row.alone).toFixed(2)} |`,
    );
  }
  const ratios = rows.map((x) => x.inside / x.alone).sort((a, b) => a - b);
  console.log(`\nmedian ratio: ${ratios[1].toFixed(2)} (target ≤ 1.5)`);
}

async function memorySection(epochs: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  console.log(`\n## Memory over a ${epochs}-epoch run\n`);
  if (!gc) {
    console.log('not measured: run with --expose-gc (npm run bench:training does)');
    return;
  }
  const s: ExperimentSettings = {
    ...defaultSettings('portfolio'),
    size: 10,
    samples: 100,
    epochs,
    hidden: [32, 32],
  };
  const book = new RecordBook();
  const heap: { epoch: number; mb: number }[] = [];
  let epoch = 0;
  const runner = new ExperimentRunner(
    s,
    { engine: cpu, cpu },
    {
      onJob: (i) => book.job(i),
      onEpoch: (j, m, r) => book.epoch(j, m, r),
      onSnapshot: (snap) => (epoch = snap.trainer.epoch),
    },
  );
  let state;
  while ((state = await runner.step()) !== 'done') {
    if (state === 'epoch' && epoch % 20 === 0) {
      gc();
      heap.push({ epoch, mb: process.memoryUsage().heapUsed / 2 ** 20 });
    }
  }
  gc();
  heap.push({ epoch, mb: process.memoryUsage().heapUsed / 2 ** 20 });
  console.log('| epoch | heap used (MB) |\n| ---: | ---: |');
  for (const h of heap) console.log(`| ${h.epoch} | ${h.mb.toFixed(1)} |`);
  const recBytes = JSON.stringify(book.jobs).length;
  const a = heap[0];
  const b = heap[heap.length - 1];
  console.log(
    `\ngrowth from epoch ${a.epoch} to ${b.epoch}: ${(b.mb - a.mb).toFixed(2)} MB; the epoch records themselves (kept for the charts) are ${(recBytes / 2 ** 10).toFixed(0)} KB as JSON`,
  );
}

async function bpqpSection(): Promise<void> {
  console.log('\n## Backward pass per sample against problem size (portfolio, λ = 0.5)\n');
  console.log(
    '| assets n | rows m | binding rows | exact KKT (reduced LDLᵀ) ms | BPQP ms | BPQP, no refinement ms | full KKT Eq. 3 (LU) ms | BPQP vs exact, max rel. diff |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of [10, 25, 50, 100, 200]) {
    const p = await buildProblem({ kind: 'portfolio', size: n, samples: 20, lambda: 0.5, seed: 1 });
    const rng = new Rng(n);
    const items = Array.from(p.splits.train.slice(0, n >= 100 ? 5 : 10), (i) => {
      const q = p.ds.costs.slice(i * n, (i + 1) * n).map((v) => v * (1 + 0.1 * rng.normal()));
      const problem = { ...p.ds.structure, q };
      const result = solveQp(problem, {
        eps_abs: 1e-9,
        eps_rel: 1e-9,
        polish: true,
        max_iter: 100_000,
      });
      return { problem, result, g: p.gradient(i, result.x) };
    });
    const time = (f: (it: (typeof items)[number]) => unknown) => {
      f(items[0]);
      const t0 = performance.now();
      items.forEach(f);
      return (performance.now() - t0) / items.length;
    };
    let diff = 0;
    for (const it of items) {
      const a = kktBackward(it.problem, it.result, it.g).dq;
      const b = bpqpBackward(it.problem, it.result, it.g).dq;
      diff = Math.max(diff, relError(b, a, 1e-12 + 1e-9 * Math.hypot(...it.g)));
    }
    const binding =
      items.reduce((s, it) => s + it.result.active.filter((k) => k !== 'inactive').length, 0) /
      items.length;
    console.log(
      `| ${n} | ${n + 1} | ${binding.toFixed(1)} | ${ms(time((it) => kktBackward(it.problem, it.result, it.g)))} | ${ms(time((it) => bpqpBackward(it.problem, it.result, it.g)))} | ${ms(time((it) => bpqpBackward(it.problem, it.result, it.g, { refineIter: 0 })))} | ${ms(time((it) => fullKktDq(it.problem, it.result, it.g)))} | ${diff.toExponential(1)} |`,
    );
  }
}

async function gpuSection(): Promise<void> {
  console.log(
    '\n## Mini-batch size from which WebGPU beats the CPU (solve + exact backward per sample)\n',
  );
  let gpu: (Engine & { dispose(): void; adapterInfo: string }) | null = null;
  try {
    const mod = await import('../src/gpu/node');
    gpu = await mod.createNodeGpuEngine();
  } catch (e) {
    console.log(`not measured: no WebGPU adapter (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  const software = /swiftshader|llvmpipe|software/i.test(gpu.adapterInfo);
  if (software && !args.includes('--force-gpu')) {
    console.log(
      `not measured: the adapter is ${gpu.adapterInfo}, a CPU emulation (no GPU on this machine); --force-gpu times it anyway`,
    );
    gpu.dispose();
    return;
  }
  const p = await buildProblem({
    kind: 'portfolio',
    size: 20,
    samples: 1500,
    lambda: 0.1,
    seed: 1,
  });
  const n = p.ds.structure.n;
  const rng = new Rng(9);
  console.log('| mini-batch | CPU ms/sample | WebGPU ms/sample |\n| ---: | ---: | ---: |');
  let crossover: number | null = null;
  for (const B of [1, 4, 16, 64, 256, 1024]) {
    const idx = p.splits.train.slice(0, B);
    const costs = (k: number) =>
      Array.from(idx, (i) => ({
        q: p.ds.costs
          .slice(i * n, (i + 1) * n)
          .map((v) => v * (1 + 0.05 * Math.sin(k + 7 * i + rng.uniform()))),
      }));
    const per: number[] = [];
    for (const engine of [cpu, gpu] as Engine[]) {
      const h = await engine.setup(p.ds.structure, labSettings(p.ds.structure));
      let last: QpResult[] = [];
      let t = 0;
      for (let k = 0; k < 4; k++) {
        h.update(costs(k));
        const t0 = performance.now();
        last = await h.solve(k === 0 ? undefined : 'previous');
        await h.backward(
          last.map((r, j) => p.gradient(idx[j], r.x)),
          'kkt',
        );
        if (k > 0) t += performance.now() - t0;
      }
      per.push(t / 3 / B);
      h.dispose();
    }
    if (crossover === null && per[1] < per[0]) crossover = B;
    console.log(`| ${B} | ${ms(per[0])} | ${ms(per[1])} |`);
  }
  console.log(
    `\nWebGPU (${gpu.adapterInfo}) beats the CPU from a mini-batch of ${crossover ?? 'none of these sizes'}`,
  );
  gpu.dispose();
}

console.log(`# Training lab benchmark (${new Date().toISOString()}, Node ${process.version})`);
let raced: RaceResult | null = null;
if (only.includes('race')) {
  const s = defaultSettings('portfolio');
  console.log(
    `\n## The default race: portfolio λ = ${s.lambdas[0]}, ${s.size} assets, ${s.samples} samples, ${s.epochs} epochs, ${s.methods.length} methods (${s.methods.join(', ')}), CPU engine\n`,
  );
  raced = await race(s);
  console.log(`wall time: ${raced.seconds.toFixed(1)} s (target ≤ 30 s)`);
  const report = buildReport(
    s,
    { requested: 'cpu', name: 'cpu', adapter: cpu.adapter },
    raced.book.jobs,
  );
  for (const t of report.table)
    console.log(
      `  ${t.method.padEnd(12)} test regret ${t.regret_test}  ∇ last/first ${t.grad_norm_ratio.toFixed(2)}  fwd ${ms(t.forward_ms_per_sample)}  bwd ${ms(t.backward_ms_per_sample)} ms/sample`,
    );
}
if (only.includes('ratio'))
  await ratioSection(await race({ ...defaultSettings('portfolio'), epochs: 3 }));
if (only.includes('memory')) await memorySection(Number(flag('epochs-memory') ?? 200));
if (only.includes('bpqp')) await bpqpSection();
if (only.includes('gpu')) await gpuSection();
process.exit(0);
