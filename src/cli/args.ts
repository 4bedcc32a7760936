/**
 * Command-line flag parsing shared by the commands. One table of flag specs drives
 * parsing, validation and the --help text.
 */
import { DEFAULT_SETTINGS, validateSettings, type QpSettings } from '../solvers/qp';
import { UsageError } from './errors';

export type FlagValue = number | boolean | string;

export interface FlagSpec {
  /** Long name without the dashes; a boolean flag also accepts --no-<name>. */
  name: string;
  type: 'number' | 'int' | 'boolean' | 'string';
  /** Allowed values of a string flag. */
  choices?: readonly string[];
  /** Placeholder of the value in the help text (X, N, S). */
  arg?: string;
  /** How the help text spells a boolean flag, e.g. "--no-scaling" (default "--[no-]<name>"). */
  usage?: string;
  help: string;
}

export interface ParsedArgs {
  flags: Map<string, FlagValue>;
  positionals: string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseValue(spec: FlagSpec, raw: string): FlagValue {
  const flag = `--${spec.name}`;
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(`${flag} must be one of ${spec.choices.join(', ')}, got '${raw}'`);
    }
    return raw;
  }
  if (!NUMBER.test(raw)) throw new UsageError(`${flag} needs a number, got '${raw}'`);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new UsageError(`${flag} needs a finite number, got '${raw}'`);
  if (spec.type === 'int' && !Number.isInteger(v))
    throw new UsageError(`${flag} needs an integer, got '${raw}'`);
  return v;
}

/**
 * Parse `--flag value`, `--flag=value`, `--flag` / `--no-flag` (booleans) and
 * positionals; `--` ends the flags; `-` alone is a positional (stdin).
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === '--') {
      positionals.push(...argv.slice(k + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--'))
      throw new UsageError(`unknown option '${arg}' (options are spelled --name)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    let spec = byName.get(name);
    let negated = false;
    if (!spec && name.startsWith('no-')) {
      const base = byName.get(name.slice(3));
      if (base?.type === 'boolean') [spec, negated] = [base, true];
    }
    if (!spec) throw new UsageError(`unknown option '--${name}'`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.set(spec.name, !negated);
      continue;
    }
    const raw = inline ?? argv[++k];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(spec.name, parseValue(spec, raw));
  }
  return { flags, positionals };
}

/** Help lines for a flag table, aligned. */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const left = specs.map((s) => {
    if (s.type === 'boolean') return s.usage ?? `--[no-]${s.name}`;
    const arg = s.choices ? s.choices.join('|') : (s.arg ?? 'X');
    return `--${s.name} ${arg}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs.map((s, i) => `  ${left[i].padEnd(width)}${s.help}`).join('\n');
}

/** Flags that set solver options; shared by `solve` and `grad`. */
export const SOLVER_FLAGS: readonly FlagSpec[] = [
  {
    name: 'eps-abs',
    type: 'number',
    arg: 'X',
    help: `absolute tolerance (default ${DEFAULT_SETTINGS.eps_abs})`,
  },
  {
    name: 'eps-rel',
    type: 'number',
    arg: 'X',
    help: `relative tolerance (default ${DEFAULT_SETTINGS.eps_rel})`,
  },
  {
    name: 'max-iter',
    type: 'int',
    arg: 'N',
    help: `iteration limit (default ${DEFAULT_SETTINGS.max_iter})`,
  },
  {
    name: 'rho',
    type: 'number',
    arg: 'X',
    help: `initial ADMM step size ρ (default ${DEFAULT_SETTINGS.rho})`,
  },
  {
    name: 'time-limit',
    type: 'number',
    arg: 'S',
    help: 'wall-time limit in seconds for the whole command, setup included (default none)',
  },
  {
    name: 'polish',
    type: 'boolean',
    help: 'polish the ADMM solution by an active-set solve (default ON in the CLI, for accurate answers)',
  },
  {
    name: 'scaling',
    type: 'boolean',
    usage: '--no-scaling',
    help: `disable Ruiz equilibration (default ${DEFAULT_SETTINGS.scaling} iterations)`,
  },
  {
    name: 'engine',
    type: 'string',
    choices: ['cpu', 'gpu'],
    help: 'engine (default cpu; gpu needs WebGPU via the npm webgpu package)',
  },
  {
    name: 'linsys',
    type: 'string',
    choices: ['auto', 'dense', 'sparse'],
    help: "the CPU engine's linear system: dense Cholesky or sparse LDLᵀ (default auto: by size and density)",
  },
];

/** Solver settings from the flags; polishing defaults to on. Throws UsageError for invalid values. */
export function settingsFromFlags(flags: Map<string, FlagValue>): Partial<QpSettings> {
  const settings: Partial<QpSettings> = { polish: true };
  const num = (name: string) => flags.get(name) as number | undefined;
  if (flags.has('eps-abs')) settings.eps_abs = num('eps-abs');
  if (flags.has('eps-rel')) settings.eps_rel = num('eps-rel');
  if (flags.has('max-iter')) settings.max_iter = num('max-iter');
  if (flags.has('rho')) settings.rho = num('rho');
  if (flags.has('time-limit')) settings.time_limit = num('time-limit');
  if (flags.has('polish')) settings.polish = flags.get('polish') as boolean;
  if (flags.has('linsys')) settings.linsys = flags.get('linsys') as QpSettings['linsys'];
  if (flags.has('scaling')) settings.scaling = flags.get('scaling') ? DEFAULT_SETTINGS.scaling : 0;
  const problem = validateSettings({ ...DEFAULT_SETTINGS, ...settings });
  if (problem) throw new UsageError(`invalid option value: ${problem}`);
  return settings;
}
