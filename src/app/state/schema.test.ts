import { describe, expect, it } from 'vitest';
import {
  configEquals,
  decodeHash,
  encodeHash,
  MAX_HASH_CHARS,
  MAX_NOTICES,
  type DecodeResult,
} from './hash';
import {
  CONFIG_KEYS,
  defaultConfig,
  GEOMETRY_PRESETS,
  PANELS,
  SCHEMA,
  type Config,
  type FieldBase,
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
      present: true,
      gview: [0.5, -1.25, 3],
      admm: true,
      arho: 0.0123,
      asigma: 2e-7,
      aadapt: false,
      dim: 3,
      tau: 0.0123,
      rho: 1.5,
      t0: -0.25,
      curves: ['upper', 'lower'],
      batch: 'gpu',
      bsizes: ['500x100', '10x5'],
      bbatches: ['1024', '4'],
      bengines: ['gpu-shared', 'cpu'],
      texp: 'linear',
      tsize: 12,
      tsamples: 200,
      tlambda: '0.25',
      tmethods: ['smoothed-qp', 'spo+'],
      tprobs: ['dc-opf', 'knapsack'],
      tseeds: 3,
      tepochs: 10,
      tbatch: 4,
      tlr: 0.0005,
      tsample: 2,
    };
    expect(encodeHash(c)).toBe(
      'panel=geometry&seed=1&batch=gpu&preset=polygon&what=1.2,0.4&cons=1,0,1;-0.5,2,0.25' +
        '&w=-0.4,0.25&gtau=0.5&grads=kkt,lpgd&ball=1' +
        '&present=1&gview=0.5,-1.25,3&admm=1&arho=0.0123&asigma=2e-7&aadapt=0' +
        '&dim=3&tau=0.0123&rho=1.5&t0=-0.25&curves=lower,upper' +
        '&bsizes=10x5,500x100&bbatches=4,1024&bengines=cpu,gpu-shared' +
        '&texp=linear&tsize=12&tsamples=200&tlambda=0.25&tmethods=smoothed-qp,spo%2B&tprobs=knapsack,dc-opf' +
        '&tseeds=3&tepochs=10&tbatch=4&tlr=0.0005&tsample=2',
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
      'seed',
      'batch',
      'preset',
      'what',
      'cons',
      'w',
      'gtau',
      'grads',
      'ball',
      'present',
      'gview',
      'admm',
      'arho',
      'asigma',
      'aadapt',
      'dim',
      'tau',
      'rho',
      't0',
      'curves',
      'bsizes',
      'bbatches',
      'bengines',
      'texp',
      'tsize',
      'tsamples',
      'tlambda',
      'tmethods',
      'tprobs',
      'tseeds',
      'tepochs',
      'tbatch',
      'tlr',
      'tsample',
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

// ---- hostile links: decoding never throws, applies what it can, and says what it ignored ----

/** Checks a decode result: a usable config (every value its field would write and read back) and
 * a bounded list of short notices. Throws with the input, so a failing random case can be replayed. */
function checkDecoded(hash: string): DecodeResult {
  let r: DecodeResult;
  try {
    r = decodeHash(hash);
  } catch (e) {
    throw new Error(`decodeHash threw on ${JSON.stringify(hash.slice(0, 300))}: ${e}`);
  }
  const fail = (why: string) => {
    throw new Error(`${why}, for ${JSON.stringify(hash.slice(0, 300))}`);
  };
  if (Object.getPrototypeOf(r.config) !== Object.prototype) fail('config prototype changed');
  if (Object.keys(r.config).join() !== CONFIG_KEYS.join()) fail('config keys differ');
  for (const k of CONFIG_KEYS) {
    const field = SCHEMA[k] as unknown as FieldBase<unknown>;
    const text = field.encode(r.config[k]);
    if (JSON.stringify(field.decode(text)) !== JSON.stringify(r.config[k]))
      fail(`field ${k} = ${JSON.stringify(r.config[k])} does not round-trip`);
  }
  // The URL it is rewritten to reads back cleanly as the same view.
  const back = decodeHash('#' + encodeHash(r.config));
  if (back.errors.length || !configEquals(back.config, r.config)) fail('canonical hash differs');
  if (r.errors.length > MAX_NOTICES + 1) fail(`${r.errors.length} notices`);
  if (r.errors.some((e) => e.length > 400)) fail('a notice longer than 400 characters');
  return r;
}

describe('hostile URL hashes', () => {
  it('a bad %-escape in a key costs that parameter only (the reported crash)', () => {
    const r = checkDecoded('#%E0%A4%A=1&what=0.5,0.5');
    expect(r.config).toEqual({ ...defaultConfig(), what: [0.5, 0.5] });
    expect(r.errors).toEqual([
      'Ignored URL parameter "%E0%A4%A": its name is not valid %-encoding.',
    ]);
  });

  it('bad %-escapes in values: that field keeps its default, the rest applies', () => {
    for (const bad of ['%E0%A4%A', '%', '%zz', '%ED%A0%80' /* a lone surrogate */, '0.5%']) {
      const r = checkDecoded(`#what=${bad}&panel=envelopes&w=0.5,0.5`);
      expect(r.config).toEqual({ ...defaultConfig(), panel: 'envelopes', w: [0.5, 0.5] });
      expect(r.errors).toEqual([
        `Ignored URL parameter what=${bad}: the value is not valid %-encoding.`,
      ]);
    }
  });

  it('a hash of megabytes: the first 16 KiB are read, whole parameters only, quickly', () => {
    const pad = 'x'.repeat(2 ** 20);
    const t0 = performance.now();
    const head = checkDecoded(`#what=0.5,0.5&pad=${pad}&panel=envelopes`);
    const tail = checkDecoded(`#pad=${pad}&what=0.5,0.5`);
    const oneValue = checkDecoded(`#what=${'1'.repeat(2 ** 21)}`);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(head.config).toEqual({ ...defaultConfig(), what: [0.5, 0.5] });
    expect(head.errors).toEqual([
      "This link's settings are 1,048,609 characters long; only the first 16,384 were read.",
    ]);
    expect(tail.config).toEqual(defaultConfig());
    expect(oneValue.config).toEqual(defaultConfig());
    // A value cut at the limit is not read as a shorter number.
    const cut = checkDecoded(`#${'a=1&'.repeat(4095)}what=0.5,0.25`.slice(0, MAX_HASH_CHARS + 1));
    expect(cut.config.what).toEqual(SCHEMA.what.default);
    // Below the text limit, an over-long value is refused unread.
    const long = checkDecoded(`#cons=${'1,0,1;'.repeat(200)}&what=0.5,0.5`);
    expect(long.config.what).toEqual([0.5, 0.5]);
    expect(long.errors).toEqual([
      'Ignored URL parameter cons: its value is 1,200 characters long (at most 1,024).',
    ]);
  });

  it('thousands of pairs: every good one applies, field notices first, then a count', () => {
    const junk = Array.from({ length: 2500 }, (_, i) => `${i}=`).join('&');
    const r = checkDecoded(`#${junk}&what=0.5,0.5&${'&'.repeat(1000)}panel=envelopes`);
    expect(r.config).toEqual({ ...defaultConfig(), what: [0.5, 0.5], panel: 'envelopes' });
    expect(r.errors).toHaveLength(MAX_NOTICES + 1);
    expect(r.errors[0]).toBe('Ignored unknown URL parameter "0".');
    expect(r.errors[MAX_NOTICES]).toBe('2,494 more problems in this link were ignored.');
    // A bad field is listed before the junk names, wherever it is in the link.
    const buried = checkDecoded(`#${junk}&w=NaN,0&what=9,9&what=0.5,0.5`);
    expect(buried.config).toEqual({ ...defaultConfig(), what: [0.5, 0.5] });
    expect(buried.errors.slice(0, 3)).toEqual([
      'Ignored URL parameter w=NaN,0: expected two comma-separated numbers, got "NaN,0".',
      'URL parameter what was given 2 times; the last one is used.',
      'Ignored unknown URL parameter "0".',
    ]);
    // The same unknown name many times is one notice.
    expect(checkDecoded(`#${'zoom=1&'.repeat(2000)}what=0.5,0.5`).errors).toEqual([
      'Ignored unknown URL parameter "zoom".',
    ]);
    expect(checkDecoded('#a=1&b=1&c=1&d=1&e=1&f=1&g=1').errors[MAX_NOTICES]).toBe(
      '1 more problem in this link was ignored.',
    );
  });

  it('a repeated key: the last one wins, even when it is bad, and a notice says so', () => {
    const r = checkDecoded(`#${'what=1,1&'.repeat(1000)}what=0.5,0.5`);
    expect(r.config.what).toEqual([0.5, 0.5]);
    expect(r.errors).toEqual(['URL parameter what was given 1001 times; the last one is used.']);
    const lastBad = checkDecoded('#what=0.5,0.5&panel=envelopes&what=nope');
    expect(lastBad.config).toEqual({ ...defaultConfig(), panel: 'envelopes' });
    expect(lastBad.errors).toEqual([
      'URL parameter what was given 2 times; the last one is used.',
      'Ignored URL parameter what=nope: expected two comma-separated numbers, got "nope".',
    ]);
  });

  it('__proto__, constructor and friends are unknown names and values, and pollute nothing', () => {
    const keys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
    const r = checkDecoded(
      `#${keys.map((k) => `${k}=1`).join('&')}&__proto__[polluted]=1&constructor.prototype.polluted=1` +
        '&what=0.5,0.5&panel=__proto__&grads=constructor&bsizes=toString',
    );
    expect(r.config).toEqual({ ...defaultConfig(), what: [0.5, 0.5] });
    expect(r.errors).toHaveLength(MAX_NOTICES + 1);
    expect(r.errors[0]).toMatch(/^Ignored URL parameter panel=__proto__: expected one of/);
    expect(r.errors[3]).toBe('Ignored unknown URL parameter "__proto__".');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('NaN, Infinity, 1e400, hex and huge integers are refused; the rest applies', () => {
    const bad = [
      'what=NaN,0',
      'what=Infinity,1',
      'what=-Infinity,0',
      'what=1e400,0',
      'what=0x1,0',
      'w=1,1e400',
      'gtau=NaN',
      'tau=Infinity',
      'rho=1e400',
      't0=0x1',
      'seed=1e400',
      'seed=NaN',
      'seed=99999999999999999999',
      'dim=Infinity',
      'cons=1e400,0,1',
      'cons=NaN,0,1',
    ];
    for (const p of bad) {
      const r = checkDecoded(`#${p}&panel=envelopes`);
      expect(r.config, p).toEqual({ ...defaultConfig(), panel: 'envelopes' });
      expect(r.errors, p).toHaveLength(1);
      expect(r.errors[0], p).toMatch(new RegExp(`^Ignored URL parameter ${p.split('=')[0]}=`));
    }
    // Decimal spellings a person may type do apply.
    expect(checkDecoded('#what=.5,-.5&t0=1e-1&rho=1E0').config).toMatchObject({
      what: [0.5, -0.5],
      t0: 0.1,
      rho: 1,
    });
  });

  it('empty values: lists become empty, every other field keeps its default with a notice', () => {
    for (const k of CONFIG_KEYS) {
      const r = checkDecoded(`#${k}=&what=0.5,0.5`);
      if (SCHEMA[k].type === 'flags') {
        expect(r.errors, k).toEqual([]);
        expect(r.config[k], k).toEqual([]);
      } else if (k === 'what') {
        expect(r.config.what).toEqual([0.5, 0.5]); // the last `what` wins
      } else {
        expect(r.errors, k).toHaveLength(1);
        expect(r.config, k).toEqual({ ...defaultConfig(), what: [0.5, 0.5] });
      }
    }
    expect(checkDecoded('#&&&').errors).toEqual([]);
  });

  it('unicode: decoded, never trusted; quotes cannot reorder or hide the notice text', () => {
    const r = checkDecoded('#%C5%B5=1&panel=g%C3%A9ometry&what=%EF%BC%90.5,0.5&w=0.5,0.5');
    expect(r.config).toEqual({ ...defaultConfig(), w: [0.5, 0.5] });
    expect(r.errors[0]).toMatch(/^Ignored URL parameter panel=géometry: expected one of/);
    expect(r.errors[1]).toMatch(/^Ignored URL parameter what=０.5,0.5: expected two/);
    expect(r.errors[2]).toBe('Ignored unknown URL parameter "ŵ".');
    // A right-to-left override, a zero-width space, a newline, a lone surrogate: shown as �.
    const sneaky = checkDecoded('#%E2%80%AEevil%E2%80%8B%0A=1&\ud800=1&what=0.5,0.5');
    expect(sneaky.config.what).toEqual([0.5, 0.5]);
    expect(sneaky.errors).toEqual([
      'Ignored unknown URL parameter "\ufffdevil\ufffd".',
      'Ignored unknown URL parameter "\ufffd".',
    ]);
    // Long quotes are cut.
    expect(checkDecoded(`#${'ŵ'.repeat(50)}=1`).errors).toEqual([
      `Ignored unknown URL parameter "${'ŵ'.repeat(40)}…".`,
    ]);
  });

  it('+ is a literal plus; %20 and spaces around keys and values are trimmed', () => {
    expect(checkDecoded('#what=+0.5,+0.5').config.what).toEqual([0.5, 0.5]);
    expect(checkDecoded('#what=0.5%2C0.5').config.what).toEqual([0.5, 0.5]);
    expect(checkDecoded('#%20what%20=%200.5,0.5%20&panel=%20envelopes').config).toEqual({
      ...defaultConfig(),
      what: [0.5, 0.5],
      panel: 'envelopes',
    });
    const plus = checkDecoded('#panel=envelopes+&what=0.5+0.5&w=0.5,0.5');
    expect(plus.config).toEqual({ ...defaultConfig(), w: [0.5, 0.5] });
    expect(plus.errors).toHaveLength(2);
    expect(plus.errors[0]).toMatch(/^Ignored URL parameter panel=envelopes\+: expected one of/);
  });

  it('a key without "=", or "=" without a key, is reported; the rest applies', () => {
    const r = checkDecoded('#what&panel=envelopes&=5&top&w=0.5,0.5');
    expect(r.config).toEqual({ ...defaultConfig(), panel: 'envelopes', w: [0.5, 0.5] });
    expect(r.errors).toEqual([
      'Ignored URL parameter what: it has no value (what=…).',
      'Ignored "=5": it has no parameter name.',
      'Ignored unknown URL parameter "top".',
    ]);
  });

  it('property: random text and byte mutations of real hashes never throw and give a valid config', () => {
    const rand = mulberry32(20250607);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const tokens = [
      ...CONFIG_KEYS,
      ...'%&=,;#+ .-e0123456789abcxyz',
      '%E0',
      '%A4',
      '%A',
      '%2C',
      '%3B',
      '%26',
      '%3D',
      '%ED%A0%80',
      '%C5%B5',
      '%00',
      'ŵ',
      '\u202e',
      '\ud800',
      '\udc00',
      '😀',
      '__proto__',
      'constructor',
      'NaN',
      'Infinity',
      '1e400',
      '-0',
      ...GEOMETRY_PRESETS,
      ...PANELS,
    ];
    const real = [
      encodeHash(defaultConfig()),
      encodeHash({
        ...defaultConfig(),
        panel: 'envelopes',
        preset: 'custom',
        what: [-2.345, 9.999],
        cons: [
          [1, 0, 0.143],
          [-0.5, 2, -100],
        ],
        grads: ['kkt'],
        curves: [],
      }),
      'panel=geometry&preset=simplex&what=0.3,0.3',
    ];
    const mutate = (s: string): string => {
      let out = s;
      for (let m = 1 + Math.floor(rand() * 5); m > 0; m--) {
        const at = Math.floor(rand() * (out.length + 1));
        const byte = Math.floor(rand() * 256);
        // As the browser would hand it over (%-escaped), or raw.
        const b =
          rand() < 0.5 ? `%${byte.toString(16).padStart(2, '0')}` : String.fromCharCode(byte);
        const op = Math.floor(rand() * 4);
        if (op === 0) out = out.slice(0, at) + b + out.slice(at + 1);
        else if (op === 1) out = out.slice(0, at) + out.slice(at + 1);
        else if (op === 2) out = out.slice(0, at) + b + out.slice(at);
        else
          out =
            out.slice(0, at) +
            out.slice(at, at + 20).repeat(1 + Math.floor(rand() * 3)) +
            out.slice(at);
      }
      return out;
    };
    const t0 = performance.now();
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(rand() * 60);
      checkDecoded('#' + Array.from({ length: n }, () => pick(tokens)).join(''));
      checkDecoded('#' + mutate(pick(real)));
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

/** A small seeded PRNG (mulberry32), so a failing random case is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
