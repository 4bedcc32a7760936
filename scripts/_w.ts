import { createNodeGpuEngine } from '../src/gpu/node';
import { GpuEngine } from '../src/gpu/engine';
import { bpqpRandomQp } from '../src/gpu/random-qp';
const gpu = await createNodeGpuEngine();
const ind = new GpuEngine(gpu.ctx, { linsys: 'indirect' });
const p0 = bpqpRandomQp(0, 6, 3);
const problems = [p0, { ...p0, u: p0.u.map((v) => v + 0.5) }, { ...p0, q: p0.q.map((v) => 0.5 * v) }];
const s = { eps_abs: 1e-4, eps_rel: 1e-4, max_iter: 4000, check_termination: 5 };
for (const [name, e] of [['gpu', gpu], ['ind', ind]] as const) {
  const cold = await e.solveBatch({ kind: 'problems', problems }, s);
  const warm = await e.solveBatch({ kind: 'problems', problems }, s, cold.map((r) => ({ x: r.x, y: r.y })));
  console.log(name, cold.map((r) => `${r.status}/${r.iter} p=${r.prim_res.toExponential(2)} d=${r.dual_res.toExponential(2)}`), warm.map((r) => `${r.status}/${r.iter} p=${r.prim_res.toExponential(2)} d=${r.dual_res.toExponential(2)}`));
}
gpu.dispose();
