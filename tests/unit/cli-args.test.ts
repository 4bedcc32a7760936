import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/solvers/qp';
import {
  SOLVER_FLAGS,
  formatFlags,
  parseArgs,
  settingsFromFlags,
  type FlagSpec,
} from '../../src/cli/args';
import { UsageError, describeError } from '../../src/cli/errors';
import { ProblemFormatError } from '../../src/solvers/io';

const parse = (argv: string[]) => parseArgs(argv, SOLVER_FLAGS);

function usageMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseArgs', () => {
  it('reads --flag value, --flag=value, booleans with --no-, "-" and "--"', () => {
    const { flags, positionals } = parse([
      'a.json',
      '--eps-abs',
      '1e-6',
      '--max-iter=50',
      '--no-polish',
      '--engine',
      'gpu',
      '-',
      '--',
      '--rho',
    ]);
    expect(Object.fromEntries(flags)).toEqual({
      'eps-abs': 1e-6,
      'max-iter': 50,
      polish: false,
      engine: 'gpu',
    });
    expect(positionals).toEqual(['a.json', '-', '--rho']);
    expect(parse(['--rho', '-2']).flags.get('rho')).toBe(-2);
  });

  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['-x'], "unknown option '-x' (options are spelled --name)"],
    [['--rho'], '--rho needs a value'],
    [['--rho', '1x'], "--rho needs a number, got '1x'"],
    [['--max-iter', '2.5'], "--max-iter needs an integer, got '2.5'"],
    [['--engine', 'tpu'], "--engine must be one of cpu, gpu, got 'tpu'"],
    [['--polish=yes'], '--polish takes no value'],
    [['--no-rho'], "unknown option '--no-rho'"],
  ])('%j → %s', (argv, message) => {
    expect(usageMessage(() => parse(argv))).toBe(message);
  });
});

describe('settingsFromFlags', () => {
  it('maps flags to settings, polishing on by default', () => {
    expect(settingsFromFlags(parse([]).flags)).toEqual({ polish: true });
    const s = settingsFromFlags(
      parse([
        '--eps-abs',
        '1e-5',
        '--eps-rel',
        '0',
        '--max-iter',
        '9',
        '--rho',
        '2',
        '--time-limit',
        '1.5',
        '--no-polish',
        '--no-scaling',
      ]).flags,
    );
    expect(s).toEqual({
      eps_abs: 1e-5,
      eps_rel: 0,
      max_iter: 9,
      rho: 2,
      time_limit: 1.5,
      polish: false,
      scaling: 0,
    });
    expect(settingsFromFlags(parse(['--scaling']).flags).scaling).toBe(DEFAULT_SETTINGS.scaling);
  });

  it('rejects values the engine would refuse', () => {
    expect(usageMessage(() => settingsFromFlags(parse(['--rho', '0']).flags))).toMatch(
      /^invalid option value: setting rho must be > 0/,
    );
    expect(
      usageMessage(() => settingsFromFlags(parse(['--eps-abs', '0', '--eps-rel', '0']).flags)),
    ).toMatch(/cannot both be 0/);
  });
});

describe('help and error reporting', () => {
  it('lists every flag in the help text', () => {
    const specs: FlagSpec[] = [...SOLVER_FLAGS];
    const help = formatFlags(specs);
    for (const s of specs)
      expect(help).toContain(
        s.type === 'boolean' ? (s.usage ?? `--[no-]${s.name}`) : `--${s.name}`,
      );
  });

  it('maps errors to exit codes and one-line messages', () => {
    expect(describeError(new UsageError('bad'))).toEqual({ code: 2, message: 'bad' });
    expect(describeError(new ProblemFormatError('line 3: x'))).toEqual({
      code: 1,
      message: 'line 3: x',
    });
    expect(describeError(new Error('two\n  lines'))).toEqual({ code: 3, message: 'two lines' });
  });
});
