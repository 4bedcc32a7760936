import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backwardEach, gradCommand } from './grad';
import type { BackwardEngine, BackwardItem, QpGradients } from '../solvers/grad';
import type { CliIo } from './console';

// min 2x₁² + x₂² + x₁ + x₂ s.t. x₁ + x₂ = 1, 0 ≤ x ≤ 0.7: x* = (1/3, 2/3), only the equality binds.
const PROBLEM = {
  P: { shape: [2, 2], indptr: [0, 1, 2], indices: [0, 1], data: [4, 2] },
  q: [1, 1],
  A: { shape: [3, 2], indptr: [0, 2, 4], indices: [0, 1, 0, 2], data: [1, 1, 1, 1] },
  l: [1, 0, 0],
  u: [1, 0.7, 0.7],
};

const dir = mkdtempSync(join(tmpdir(), 'grad-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function fixture(value: unknown): string {
  const file = join(dir, `p${files++}.json`);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** Output of a command run in this process: stdout text and stderr lines. */
function bufferIo(): CliIo & { stdout: string; stderr: string[] } {
  const io = {
    stdout: '',
    stderr: [] as string[],
    out: async (text: string) => void (io.stdout += text),
    err: (line: string) => void io.stderr.push(line),
  };
  return io;
}

async function run(argv: string[]): Promise<Record<string, unknown>> {
  const io = bufferIo();
  expect(await gradCommand(argv, io)).toBe(0);
  return JSON.parse(io.stdout) as Record<string, unknown>;
}

describe('grad CLI', () => {
  it('prints x and the gradients; kkt matches the hand-derived closed form', async () => {
    // On the line x₁ + x₂ = 1: x₁ = (1 − q₁ + q₂ + 2·1)/6 ⇒ ∂x₁/∂q = (−1/6, 1/6), ∂x₂/∂q = (1/6, −1/6).
    const out = await run([fixture(PROBLEM), '--dl-dx', '[1,-2]']);
    expect(out.method).toBe('kkt');
    expect(out.engine).toBe('cpu');
    const x = out.x as number[];
    expect(x[0]).toBeCloseTo(1 / 3, 9);
    const dq = out.dq as number[];
    expect(dq[0]).toBeCloseTo(-1 / 6 - 2 / 6, 9);
    expect(dq[1]).toBeCloseTo(1 / 6 + 2 / 6, 9);
    expect((out.dP as number[][]).length).toBe(2);
    expect((out.dA as number[][])[1]).toEqual([0, 0]);
  });

  it('a problem too large for dense gradients gets kkt on its sparse structure, dP and dA in CSC', async () => {
    // n = 3000 separable: min Σ ½xⱼ² − jxⱼ/n s.t. 0 ≤ x ≤ 0.5. Dense P and A: 144 MB; --max-memory-mb 40.
    const n = 3000;
    const ids = Array.from({ length: n }, (_, j) => j);
    const diag = { shape: [n, n], indptr: [...ids, n], indices: ids, data: new Array(n).fill(1) };
    const big = {
      P: diag,
      q: ids.map((j) => -j / n),
      A: diag,
      l: new Array(n).fill(0),
      u: new Array(n).fill(0.5),
    };
    const dl = JSON.stringify(ids.map(() => 1));
    const out = await run([fixture(big), '--dl-dx', dl, '--max-memory-mb', '40']);
    expect(out.pattern).toMatch(/upper triangle of P/);
    // x*ⱼ = min(j/n, 0.5): free below n/2, where ∂x*ⱼ/∂qⱼ = −1; at the bound beyond, 0.
    const dq = out.dq as number[];
    expect(dq[10]).toBeCloseTo(-1, 9);
    expect(dq[n - 10]).toBeCloseTo(0, 9);
    const dP = out.dP as { shape: number[]; indptr: number[]; data: number[] };
    expect(dP.shape).toEqual([n, n]);
    expect(dP.indptr).toHaveLength(n + 1);
    // dP on the diagonal: ½(x̃ⱼxⱼ + xⱼx̃ⱼ) = −xⱼ where free.
    expect(dP.data[10]).toBeCloseTo(-10 / n, 9);
  });

  it('every method runs and agrees with kkt on this well-posed problem', async () => {
    const file = fixture(PROBLEM);
    const ref = (await run([file, '--dl-dx', '[1,-2]'])).dq as number[];
    for (const method of ['bpqp', 'lpgd', 'lpgd-lower', 'lpgd-upper', 'smoothed-qp', 'fd']) {
      const tau = method.startsWith('lpgd') ? ['--tau', '1e-5'] : [];
      const dq = (await run([file, '--dl-dx', '[1,-2]', '--method', method, ...tau]))
        .dq as number[];
      dq.forEach((v, j) => expect(v, method).toBeCloseTo(ref[j], 4));
    }
  });

  it('batch files give {"results": [...]} with one --dl-dx per problem', async () => {
    const out = await run([fixture({ batch: [PROBLEM, PROBLEM] }), '--dl-dx', '[[1,0],[0,1]]']);
    const results = out.results as { dq: number[] }[];
    expect(results).toHaveLength(2);
    expect(results[0].dq[0]).toBeCloseTo(-1 / 6, 9);
    expect(results[1].dq[0]).toBeCloseTo(1 / 6, 9);
  });

  it('bad input is a one-line error', async () => {
    const file = fixture(PROBLEM);
    await expect(gradCommand([file], bufferIo())).rejects.toThrow(/needs --dl-dx/);
    await expect(gradCommand([file, '--dl-dx', '[1]'])).rejects.toThrow(/length 1, expected n = 2/);
    await expect(gradCommand([file, '--dl-dx', '[1, "a"]'])).rejects.toThrow(/finite numbers/);
    await expect(gradCommand([file, '--dl-dx', '[1,2]', '--method', 'nope'])).rejects.toThrow(
      /--method must be one of/,
    );
    await expect(gradCommand([file, '--dl-dx', '[1,2]', '--engine', 'tpu'])).rejects.toThrow(
      /--engine/,
    );
  });

  it('a batch with an infeasible member still gives the other members their gradients', async () => {
    // Problem 1 asks x₁ + x₂ = 1 and x₁ + x₂ = 3 at once: primal infeasible.
    const infeasible = {
      ...PROBLEM,
      A: [
        [1, 1],
        [1, 1],
      ],
      l: [1, 3],
      u: [1, 3],
    };
    const out = await run([
      fixture({ batch: [PROBLEM, infeasible, PROBLEM] }),
      '--dl-dx',
      '[1,-2]',
    ]);
    const results = out.results as Record<string, unknown>[];
    expect(results.map((r) => r.status)).toEqual(['solved', 'primal_infeasible', 'solved']);
    expect(results[1]).toMatchObject({
      method: 'kkt',
      error: "the forward solve ended with status 'primal_infeasible'; no gradient",
    });
    expect(results[1].dq).toBeUndefined();
    for (const k of [0, 2]) expect((results[k].dq as number[])[0]).toBeCloseTo(-1 / 6 - 2 / 6, 9);
  });

  it('a single problem that does not solve is an error (exit 3), not an empty gradient', async () => {
    const infeasible = { q: [1], A: [[1], [1]], l: [0, 2], u: [1, 3] };
    await expect(gradCommand([fixture(infeasible), '--dl-dx', '[1]'], bufferIo())).rejects.toThrow(
      /^the forward solve ended with status 'primal_infeasible'; no gradient$/,
    );
  });

  it('an option the method does not read is a warning, on stderr and in the output', async () => {
    const io = bufferIo();
    expect(await gradCommand([fixture(PROBLEM), '--dl-dx', '[1,-2]', '--tau', '1e-3'], io)).toBe(0);
    const warning =
      '--tau has no effect with --method kkt (it is read by lpgd, lpgd-lower, lpgd-upper)';
    expect(io.stderr).toEqual([`warning: ${warning}`]);
    expect(JSON.parse(io.stdout).warnings).toEqual([warning]);
  });

  it('--engine gpu runs the backward pass in WGSL and matches the closed form to f32 accuracy', async () => {
    const out = await run([fixture(PROBLEM), '--dl-dx', '[1,-2]', '--engine', 'gpu']);
    expect(out.engine).toBe('gpu');
    expect(String(out.adapter)).toMatch(/WebGPU/);
    const dq = out.dq as number[];
    expect(dq[0]).toBeCloseTo(-1 / 6 - 2 / 6, 3);
    expect(dq[1]).toBeCloseTo(1 / 6 + 2 / 6, 3);
  });

  it('a member whose gradient throws gets its error; the batch is retried one member at a time', async () => {
    const calls: number[] = [];
    const fake: BackwardEngine = {
      name: 'cpu',
      async backwardBatch(items: BackwardItem[]) {
        calls.push(items.length);
        return items.map((it) => {
          if (it.dl_dx[0] < 0) throw new Error('singular KKT matrix');
          return { dq: it.dl_dx } as unknown as QpGradients;
        });
      },
    };
    const item = (g: number) => ({ dl_dx: Float64Array.of(g) }) as unknown as BackwardItem;
    const out = await backwardEach(fake, [item(1), item(-1), item(2)], 'kkt', {});
    expect(calls).toEqual([3, 1, 1, 1]);
    expect((out[0] as QpGradients).dq[0]).toBe(1);
    expect((out[1] as Error).message).toBe('singular KKT matrix');
    expect((out[2] as QpGradients).dq[0]).toBe(2);
  });
});
