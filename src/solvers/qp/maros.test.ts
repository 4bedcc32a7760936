import { describe, expect, it } from 'vitest';
import { solveQp } from './index';
import { loadMarosMeszaros, marosMeszarosNames } from './testutil';

/** The 12 small Maros–Meszaros QPs against the reference optimal objectives of osqp_benchmarks. */
describe('Maros–Meszaros', () => {
  const names = marosMeszarosNames();
  it('has the 12 problems', () => expect(names).toHaveLength(12));

  it.each(names)('%s reaches the reference objective', (name) => {
    const p = loadMarosMeszaros(name);
    const r = solveQp(p, { eps_abs: 1e-6, eps_rel: 1e-6, polish: true, max_iter: 50000 });
    expect(r.status).toBe('solved');
    const ref = p.meta.reference;
    expect(Math.abs(r.obj - ref) / Math.max(1, Math.abs(ref))).toBeLessThan(1e-3);
  });

  // A polished point is accepted only with multipliers of the right sign: at the default, loose
  // tolerances the guessed active set of these problems is wrong, and a polish that "succeeds" on it
  // would report a feasible, stationary but non-optimal point (QPCBLEND was off by a factor of 38).
  it.each(['QPCBLEND', 'DUALC1', 'CVXQP1_S', 'QAFIRO'])(
    '%s: polishing at default tolerances never accepts a wrong active set',
    (name) => {
      const p = loadMarosMeszaros(name);
      const r = solveQp(p, { polish: true });
      const ref = p.meta.reference;
      const relErr = Math.abs(r.obj - ref) / Math.max(1, Math.abs(ref));
      if (r.polish === 'success') expect(relErr).toBeLessThan(1e-6);
      for (let i = 0; i < p.m; i++) {
        if (p.l[i] === p.u[i]) continue;
        if (r.active[i] === 'lower') expect(r.y[i]).toBeLessThanOrEqual(1e-9);
        if (r.active[i] === 'upper') expect(r.y[i]).toBeGreaterThanOrEqual(-1e-9);
      }
      // Unpolished ADMM at eps 1e-3 is still near the optimum.
      expect(relErr).toBeLessThan(0.1);
    },
  );

  // Beyond OSQP's single polish: correcting the guessed active set one row at a time (polish.ts)
  // turns these refused polishes at loose tolerances into the reference optimum.
  it.each(['CVXQP1_S', 'DUALC1', 'QAFIRO'])(
    '%s: at eps 1e-3 the corrected polish reaches the reference objective, one pass does not',
    (name) => {
      const p = loadMarosMeszaros(name);
      const ref = p.meta.reference;
      const relErr = (obj: number) => Math.abs(obj - ref) / Math.max(1, Math.abs(ref));
      const r = solveQp(p, { polish: true });
      expect(r.polish).toBe('success');
      expect(relErr(r.obj)).toBeLessThan(1e-7);
      const once = solveQp(p, { polish: true, polish_passes: 1 });
      expect(once.polish).toBe('unsuccessful');
      expect(relErr(once.obj)).toBeGreaterThan(1e-6);
    },
  );

  // The data set's README: plain ADMM (no Ruiz, fixed ρ) fails on these three.
  it.each(['DUALC1', 'QPCBLEND', 'CVXQP1_S'])('%s needs scaling and adaptive ρ', (name) => {
    const p = loadMarosMeszaros(name);
    const plain = solveQp(p, {
      eps_abs: 1e-5,
      eps_rel: 1e-5,
      scaling: 0,
      adaptive_rho: false,
      max_iter: 2000,
    });
    expect(plain.status).toBe('max_iter_reached');
    const full = solveQp(p, { eps_abs: 1e-5, eps_rel: 1e-5, max_iter: 2000 });
    expect(full.status).toBe('solved');
    expect(full.rho_updates).toBeGreaterThan(0);
  });

  it('time-based ρ adaptation (adaptive_rho_interval as a fraction of setup time) also solves', () => {
    const p = loadMarosMeszaros('QPCBLEND');
    const r = solveQp(p, {
      eps_abs: 1e-5,
      eps_rel: 1e-5,
      adaptive_rho_interval: 0.4,
      max_iter: 20000,
    });
    expect(r.status).toBe('solved');
  });
});
