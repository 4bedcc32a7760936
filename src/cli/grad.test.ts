import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradCommand } from './grad';

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

async function run(argv: string[]): Promise<Record<string, unknown>> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((
    chunk: string,
    cb?: () => void,
  ) => {
    out += chunk;
    cb?.();
    return true;
  }) as typeof process.stdout.write);
  try {
    expect(await gradCommand(argv)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(out) as Record<string, unknown>;
}

afterEach(() => vi.restoreAllMocks());

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

  it('every method runs and agrees with kkt on this well-posed problem', async () => {
    const file = fixture(PROBLEM);
    const ref = (await run([file, '--dl-dx', '[1,-2]'])).dq as number[];
    for (const method of ['bpqp', 'lpgd', 'lpgd-lower', 'lpgd-upper', 'smoothed-qp', 'fd']) {
      const dq = (await run([file, '--dl-dx', '[1,-2]', '--method', method, '--tau', '1e-5']))
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
    await expect(gradCommand([file])).rejects.toThrow(/needs --dl-dx/);
    await expect(gradCommand([file, '--dl-dx', '[1]'])).rejects.toThrow(/length 1, expected n = 2/);
    await expect(gradCommand([file, '--dl-dx', '[1, "a"]'])).rejects.toThrow(/finite numbers/);
    await expect(gradCommand([file, '--dl-dx', '[1,2]', '--method', 'nope'])).rejects.toThrow(
      /--method must be one of/,
    );
    await expect(gradCommand([file, '--dl-dx', '[1,2]', '--engine', 'tpu'])).rejects.toThrow(
      /--engine/,
    );
  });

  it('--engine gpu runs the backward pass in WGSL and matches the closed form to f32 accuracy', async () => {
    const out = await run([fixture(PROBLEM), '--dl-dx', '[1,-2]', '--engine', 'gpu']);
    expect(out.engine).toBe('gpu');
    expect(String(out.adapter)).toMatch(/WebGPU/);
    const dq = out.dq as number[];
    expect(dq[0]).toBeCloseTo(-1 / 6 - 2 / 6, 3);
    expect(dq[1]).toBeCloseTo(1 / 6 + 2 / 6, 3);
  });
});
