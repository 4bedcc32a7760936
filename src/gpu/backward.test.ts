/**
 * Gradient parity of the WebGPU backward engine (f32, real Dawn + SwiftShader) with the CPU exact
 * method (src/solvers/grad kktBackward, Float64), on QPs whose solution and active set are known
 * exactly (knownQp: strict complementarity with margins ≥ 0.5). Criterion as BPQP Table 3:
 * cosine similarity of all gradients (dq, dl, du, dP, dA) ≥ 0.99; we also bound the relative error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { knownQp } from '../solvers/grad/testing';
import { kktBackward } from '../solvers/grad/kkt';
import { cosine, flattenGradients, relError } from '../solvers/grad/vec';
import { Rng } from '../solvers/grad/rng';
import type { BackwardItem } from '../solvers/grad/types';
import { createNodeGpuEngine } from './node';
import { errorMessage } from '../solvers/errors';

let gpu: Awaited<ReturnType<typeof createNodeGpuEngine>> | null = null;
try {
  gpu = await createNodeGpuEngine();
} catch (e) {
  console.error(
    `\n!!!!!!!! NO WEBGPU ADAPTER: GPU backward cases are SKIPPED (${errorMessage(e)}) !!!!!!!!\n`,
  );
}
afterAll(() => gpu?.dispose());

function items(): BackwardItem[] {
  const specs = [
    { n: 5, roles: ['equality', 'upper', 'lower', 'inactive', 'upper'] as const },
    { n: 6, roles: ['upper', 'inactive', 'lower', 'inactive'] as const },
    { n: 4, roles: ['inactive', 'inactive'] as const },
    {
      n: 5,
      roles: ['equality', 'equality', 'lower', 'upper', 'inactive', 'lower', 'inactive'] as const,
    },
  ];
  const rng = new Rng(7);
  return specs.map((s, k) => {
    const { problem, result } = knownQp(100 + k, { n: s.n, roles: [...s.roles] });
    return { problem, result, dl_dx: rng.normals(s.n) };
  });
}

describe.skipIf(!gpu)('GPU backward engine vs CPU exact KKT gradients', () => {
  const batch = items();
  const exact = batch.map((it) => flattenGradients(kktBackward(it.problem, it.result, it.dl_dx)));

  // f32: relative error up to ~1e-2 where the adjoint ỹ is amplified by K⁻¹ (problem 3 has n active rows).
  it("'kkt': cosine ≥ 0.99 and relative error ≤ 1e-2 per problem (mixed sizes in one call)", async () => {
    const g = await gpu!.backward.backwardBatch(batch, 'kkt');
    g.forEach((gk, k) => {
      const v = flattenGradients(gk);
      expect(cosine(v, exact[k])).toBeGreaterThanOrEqual(0.99);
      expect(relError(v, exact[k])).toBeLessThan(1e-2);
    });
  });

  it("'bpqp': GPU ADMM on the backward QP + refinement, cosine ≥ 0.99", async () => {
    const g = await gpu!.backward.backwardBatch(batch, 'bpqp');
    g.forEach((gk, k) =>
      expect(cosine(flattenGradients(gk), exact[k])).toBeGreaterThanOrEqual(0.99),
    );
  });

  it("'bpqp' without refinement: the ADMM adjoint alone, cosine ≥ 0.99", async () => {
    const g = await gpu!.backward.backwardBatch(batch, 'bpqp', { refineIter: 0 });
    g.forEach((gk, k) =>
      expect(cosine(flattenGradients(gk), exact[k])).toBeGreaterThanOrEqual(0.99),
    );
  });

  it("'lpgd-lower': dq from perturbed GPU solves matches the exact dq (active set stable under τ)", async () => {
    const g = await gpu!.backward.backwardBatch(batch, 'lpgd-lower');
    g.forEach((gk, k) => {
      const dq = kktBackward(batch[k].problem, batch[k].result, batch[k].dl_dx).dq;
      expect(cosine(gk.dq, dq)).toBeGreaterThanOrEqual(0.99);
    });
  });

  it('a non-differentiable input is refused with a clear message', async () => {
    const bad = {
      ...batch[0],
      result: { ...batch[0].result, status: 'primal_infeasible' as const },
    };
    await expect(gpu!.backward.backwardBatch([bad], 'kkt')).rejects.toThrow(/primal_infeasible/);
    await expect(gpu!.backward.backwardBatch([batch[0]], 'fd')).rejects.toThrow(
      /does not implement 'fd'/,
    );
  });
});
