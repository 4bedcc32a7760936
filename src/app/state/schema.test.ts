import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  decodeHash,
  defaultConfig,
  encodeHash,
  GEOMETRY_PRESETS,
  PANELS,
  SCHEMA,
  type Config,
} from './schema';

describe('config schema', () => {
  it('encodes every field, in schema order, in the documented form', () => {
    const c: Config = {
      panel: 'geometry',
      preset: 'polygon',
      what: [1.2, 0.4],
      cons: [
        [1, 0, 1],
        [-0.5, 2, 0.25],
      ],
      seed: 1,
      w: [-0.4, 0.25],
      gtau: 0.5,
      grads: ['lpgd', 'kkt'],
      ball: true,
      dim: 3,
      tau: 0.0123,
      rho: 1.5,
      t0: -0.25,
      curves: ['upper', 'lower'],
      batch: 'gpu',
      bsizes: ['500x100', '10x5'],
      bbatches: ['1024', '4'],
      bengines: ['gpu-shared', 'cpu'],
    };
    expect(encodeHash(c)).toBe(
      'panel=geometry&preset=polygon&what=1.2,0.4&cons=1,0,1;-0.5,2,0.25&seed=1' +
        '&w=-0.4,0.25&gtau=0.5&grads=kkt,lpgd&ball=1&dim=3&tau=0.0123&rho=1.5&t0=-0.25&curves=lower,upper&batch=gpu' +
        '&bsizes=10x5,500x100&bbatches=4,1024&bengines=cpu,gpu-shared',
    );
    // Decoding gives the values in the schema's order, whatever order the URL lists them in.
    expect(decodeHash(encodeHash(c)).config.bbatches).toEqual(['4', '1024']);
    expect(decodeHash('#bbatches=3').errors[0]).toMatch(/unknown value "3"/);
    expect(decodeHash('#bengines=').config.bengines).toEqual([]);
  });

  it('round-trips state → hash → state for every enumeration value and awkward numbers', () => {
    const whats: [number, number][] = [
      [0, 0],
      [-0, 1e-3],
      [-2.345, 9.999],
      [1 / 3, -2 / 3],
      [-10, 10],
    ];
    for (const panel of PANELS)
      for (const preset of GEOMETRY_PRESETS)
        for (const what of whats) {
          const cons: Config['cons'] = [
            [what[0], 1, 1 / 7],
            [0, -1, -100],
          ];
          const c: Config = { ...defaultConfig(), panel, preset, what, cons, seed: 2 ** 31 - 1 };
          const back = decodeHash('#' + encodeHash(c));
          expect(back.errors).toEqual([]);
          expect(back.config.panel).toBe(panel);
          expect(back.config.preset).toBe(preset);
          expect(back.config.seed).toBe(2 ** 31 - 1);
          expect(back.config.cons).toHaveLength(2);
          expect(back.config.cons[0][2]).toBe(0.143);
          expect(back.config.cons[1]).toEqual([0, -1, -100]);
          // ŵ is kept on a 10⁻³ grid; on-grid values come back exactly, others rounded to it.
          for (let i = 0; i < 2; i++)
            expect(Math.abs(back.config.what[i] - what[i])).toBeLessThanOrEqual(5e-4 + 1e-12);
          // hash → state → hash is exact.
          expect(encodeHash(back.config)).toBe(encodeHash(c));
        }
  });

  it('gives defaults for an empty or missing hash and for absent fields', () => {
    expect(decodeHash('').config).toEqual(defaultConfig());
    expect(decodeHash('#').config).toEqual(defaultConfig());
    const partial = decodeHash('#preset=simplex');
    expect(partial.errors).toEqual([]);
    expect(partial.config).toEqual({ ...defaultConfig(), preset: 'simplex' });
  });

  it('rejects bad values with a message naming the parameter, keeping the default', () => {
    const bad = decodeHash('#panel=nope&what=1,abc&seed=1.5&preset=simplex&zoom=3');
    expect(bad.config.panel).toBe(SCHEMA.panel.default);
    expect(bad.config.what).toEqual(SCHEMA.what.default);
    expect(bad.config.seed).toBe(SCHEMA.seed.default);
    expect(bad.config.preset).toBe('simplex');
    expect(bad.errors).toHaveLength(4);
    expect(bad.errors[0]).toMatch(/panel=nope: expected one of geometry, envelopes/);
    expect(bad.errors[1]).toMatch(/what=1,abc: expected two comma-separated numbers/);
    expect(bad.errors[2]).toMatch(/seed=1.5: expected an integer/);
    expect(bad.errors[3]).toMatch(/unknown URL parameter "zoom"/);
    expect(decodeHash('#what=1,2,3').errors[0]).toMatch(/two comma-separated/);
    expect(decodeHash('#what=1e400,0').errors[0]).toMatch(/two comma-separated/);
    expect(decodeHash('#what=50,0').errors[0]).toMatch(/must lie in/);
    expect(decodeHash('#what=,1').errors[0]).toMatch(/two comma-separated/);
    expect(decodeHash('#cons=1,0,1;0,0,1').errors[0]).toMatch(
      /half-plane 2: the normal .* must be nonzero/,
    );
    expect(decodeHash('#cons=1,0').errors[0]).toMatch(/half-plane 1: expected three numbers/);
    expect(decodeHash('#cons=1,0,1000').errors[0]).toMatch(/must lie in/);
    expect(decodeHash('#cons=' + Array(13).fill('1,0,1').join(';')).errors[0]).toMatch(
      /at most 12/,
    );
  });

  it('lists every field once and gives independent default objects', () => {
    expect(CONFIG_KEYS).toEqual([
      'panel',
      'preset',
      'what',
      'cons',
      'seed',
      'w',
      'gtau',
      'grads',
      'ball',
      'dim',
      'tau',
      'rho',
      't0',
      'curves',
      'batch',
      'bsizes',
      'bbatches',
      'bengines',
    ]);
    const a = defaultConfig();
    a.what[0] = 99;
    a.cons[0][0] = 99;
    expect(defaultConfig().what[0]).toBe(SCHEMA.what.default[0]);
    expect(defaultConfig().cons[0][0]).toBe(SCHEMA.cons.default[0][0]);
  });

  it('float, flag and boolean fields: round trip, canonical order, and clear errors', () => {
    const c: Config = { ...defaultConfig(), tau: 0.01, rho: 5, t0: 2, grads: [], ball: false };
    const back = decodeHash('#' + encodeHash(c));
    expect(back.errors).toEqual([]);
    expect(back.config).toEqual(c);
    expect(decodeHash('#grads=identity,kkt').config.grads).toEqual(['kkt', 'identity']);
    const bad = decodeHash('#tau=0&rho=x&t0=3&grads=kkt,magic&ball=yes&gtau=20');
    expect(bad.errors).toHaveLength(6);
    expect(bad.errors[0]).toMatch(/tau=0: expected a number in \[0.01, 10\]/);
    expect(bad.errors[1]).toMatch(/rho=x: expected a number/);
    expect(bad.errors[3]).toMatch(/unknown value "magic"/);
    expect(bad.errors[4]).toMatch(/expected 0 or 1/);
    expect(bad.config.tau).toBe(SCHEMA.tau.default);
    expect(bad.config.grads).toEqual(SCHEMA.grads.default);
  });

  it('batch engine preference: by name, default auto, each value round-trips, bad ones rejected', () => {
    expect(defaultConfig().batch).toBe('auto');
    expect(encodeHash(defaultConfig())).toMatch(/&batch=auto(&|$)/);
    for (const batch of ['auto', 'gpu', 'cpu'] as const) {
      const back = decodeHash('#' + encodeHash({ ...defaultConfig(), batch }));
      expect(back.errors).toEqual([]);
      expect(back.config.batch).toBe(batch);
    }
    expect(decodeHash('#panel=envelopes&batch=cpu').config).toEqual({
      ...defaultConfig(),
      panel: 'envelopes',
      batch: 'cpu',
    });
    const bad = decodeHash('#batch=webgpu');
    expect(bad.config.batch).toBe('auto');
    expect(bad.errors).toEqual([
      'Ignored URL parameter batch=webgpu: expected one of auto, gpu, cpu, got "webgpu".',
    ]);
  });
});
