import { describe, expect, it } from 'vitest';
import { LatestOnly } from './coalesce';

/** A run function whose calls finish only when the test says so. */
function controllable() {
  const calls: { req: number; finish: (v: string) => void; fail: (e: Error) => void }[] = [];
  const run = (req: number) =>
    new Promise<string>((resolve, reject) => calls.push({ req, finish: resolve, fail: reject }));
  return { calls, run };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('LatestOnly', () => {
  it('runs the first request, then only the newest of those that arrived meanwhile', async () => {
    const { calls, run } = controllable();
    const q = new LatestOnly(run);
    const first = q.request(0);
    const rest = Array.from({ length: 200 }, (_, i) => q.request(i + 1));
    expect(calls.map((c) => c.req)).toEqual([0]);
    calls[0].finish('r0');
    expect(await first).toBe('r0');
    await tick();
    expect(calls.map((c) => c.req)).toEqual([0, 200]);
    calls[1].finish('r200');
    const settled = await Promise.all(rest);
    expect(settled.slice(0, 199).every((v) => v === null)).toBe(true);
    expect(settled[199]).toBe('r200');
    expect(q.busy).toBe(false);
  });

  it('passes a failure to its caller and keeps serving later requests', async () => {
    const { calls, run } = controllable();
    const q = new LatestOnly(run);
    const a = q.request(1);
    const b = q.request(2);
    calls[0].fail(new Error('worker crashed'));
    await expect(a).rejects.toThrow('worker crashed');
    await tick();
    expect(calls.map((c) => c.req)).toEqual([1, 2]);
    calls[1].finish('ok');
    expect(await b).toBe('ok');
  });
});
