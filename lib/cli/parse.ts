/**
 * argv and CRAWL_* variables → one command's checked option values, with yargs doing the
 * tokenising. Every mistake is a UsageError with one line that names the flag.
 *
 * Rules (the README's "Flags" says the same): a flag given twice takes its last value, except a
 * list (--peers, --emit, --onlynet), whose values add up; a flag that
 * takes a value must have one; a boolean flag is `--x`, `--no-x`, `--x=true` or `--x=false`; a
 * flag on the command line wins over its CRAWL_* variable.
 */
import yargs from 'yargs';
import { UsageError } from '../crawler/options.js';
import { COMMANDS, envName, optionsOf, OPTIONS, type CommandName, type OptionSpec, type OptionValue } from './options.js';

/** How CRAWL_* booleans may be written (case does not matter); an empty variable is unset. */
export const ENV_TRUE = ['1', 'true', 'yes', 'on'] as const;
export const ENV_FALSE = ['0', 'false', 'no', 'off'] as const;

export interface Args {
  readonly command: CommandName;
  /** Positional arguments after the command's name (decode's hex). */
  readonly positionals: readonly string[];
  /** Warnings for the user (unknown CRAWL_* variables), one line each. */
  readonly warnings: readonly string[];
  /** Whether the flag was given (on the command line or in the environment). */
  given(name: string): boolean;
  bool(name: string): boolean;
  num(name: string): number | undefined;
  str(name: string): string | undefined;
  choice<T extends string>(name: string, choices: readonly T[]): T;
}

/**
 * One yargs parse of every flag of every command: a flag given twice arrives as an array
 * (duplicate-arguments-array), and its `coerce` keeps the last value, or every value of a
 * repeatable flag, joined with commas. No `requiresArg`: a flag with no value arrives as "" and is
 * named in our own words (checkValue). Unknown flags are refused by `strictOptions`, in words set
 * with `updateStrings`.
 */
const PARSER_CONFIG = {
  'duplicate-arguments-array': true,
  'flatten-duplicate-arrays': true,
  'camel-case-expansion': false,
  'parse-numbers': false,
  'parse-positional-numbers': false,
  'strip-aliased': true,
  'boolean-negation': true,
} as const;

const lastOf = (v: unknown): unknown => (Array.isArray(v) ? (v as unknown[])[v.length - 1] : v);
/** A list flag's values joined; "" when one of them is missing (checkValue then names the flag). */
const everyOf = (v: unknown): string => {
  const values = (Array.isArray(v) ? (v as unknown[]) : [v]).map(String);
  return values.includes('') ? '' : values.join(',');
};

/**
 * `-` as a flag's value (stdin, as `--peers-file -`) written `--flag=-`: yargs-parser takes a
 * separate `-` for an argument of its own, whatever the flag before it takes.
 */
function dashValues(argv: readonly string[]): string[] {
  const takesValue = new Set<string>();
  for (const s of OPTIONS) {
    if (s.kind === 'boolean') continue;
    takesValue.add(`--${s.name}`);
    if (s.alias) takesValue.add(`-${s.alias}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return out.concat(argv.slice(i));
    if (takesValue.has(argv[i]) && argv[i + 1] === '-') out.push(`${argv[i++]}=-`);
    else out.push(argv[i]);
  }
  return out;
}

/** The single parse: yargs' own tokenising, strictness and messages; values not yet checked. */
function parse(argv: readonly string[]): { positionals: string[]; values: Map<string, unknown> } {
  let y = yargs(dashValues(argv))
    .parserConfiguration(PARSER_CONFIG)
    .help(false)
    .version(false)
    .exitProcess(false)
    // yargs words its own messages through y18n; these are ours (the `--` is ours: yargs names the key).
    .updateStrings({ 'Unknown argument: %s': { one: 'unknown option --%s', other: 'unknown options: %s' } } as unknown as Record<string, string>)
    .strictOptions();
  for (const s of OPTIONS) {
    y = y.option(s.name, { type: s.kind === 'boolean' ? 'boolean' : 'string', alias: s.alias, coerce: s.repeatable ? everyOf : lastOf });
  }
  let failure: { message: string; err?: Error } | undefined;
  const parsed = y
    .fail((message, err) => {
      failure = { message, err };
    })
    .parseSync();
  if (failure !== undefined) {
    if (failure.err instanceof UsageError) throw failure.err;
    throw new UsageError((failure.message || failure.err?.message || 'bad arguments').replace(/\s*\n\s*/g, ' '));
  }
  const values = new Map<string, unknown>();
  for (const s of OPTIONS) if (parsed[s.name] !== undefined) values.set(s.name, parsed[s.name]);
  return { positionals: parsed._.map(String), values };
}

/** The command named by the first positional argument; `crawl` when there is none. */
function commandOf(positionals: readonly string[]): { command: CommandName; positionals: string[] } {
  const first = positionals[0];
  if (first === undefined) return { command: 'crawl', positionals: [] };
  if (first !== 'crawl' && (COMMANDS as readonly string[]).includes(first)) return { command: first as CommandName, positionals: positionals.slice(1) };
  const hint = first === 'help' ? ' (did you mean --help?)' : '';
  throw new UsageError(`unknown command "${first}"${hint}: crawl takes "decode", "merge", "report" or no command (to crawl)`);
}

/**
 * `--x=value` on a boolean flag: only true or false; --help and --version take no value. yargs
 * reads any such value as false, silently (yargs-parser has no setting to refuse it), so these
 * tokens are looked at before it.
 */
function checkBooleanValues(argv: readonly string[]): void {
  for (const token of argv) {
    if (token === '--') return;
    const m = /^--(?:no-)?([^=]+)=(.*)$/s.exec(token);
    if (!m) continue;
    const spec = OPTIONS.find((s) => s.name === m[1] && s.kind === 'boolean');
    if (!spec) continue;
    if (spec.env === false) throw new UsageError(`--${spec.name} takes no value, not "${m[2]}"`);
    if (m[2] !== 'true' && m[2] !== 'false') throw new UsageError(`--${spec.name} is on or off: write --${spec.name} or --no-${spec.name}, not "${token}"`);
  }
}

function checkValue(spec: OptionSpec, raw: string, where: string): OptionValue {
  if (raw === '') throw new UsageError(`${where} needs a value`);
  switch (spec.kind) {
    case 'choice':
      if (!spec.choices?.includes(raw)) throw new UsageError(`${where} takes one of ${spec.choices?.join(', ')}, not "${raw}"`);
      return raw;
    case 'number': {
      const n = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw new UsageError(`${where} takes a number, not "${raw}"`);
      return n;
    }
    default:
      return raw;
  }
}

function envBoolean(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if ((ENV_TRUE as readonly string[]).includes(v)) return true;
  if ((ENV_FALSE as readonly string[]).includes(v)) return false;
  throw new UsageError(`${name} takes ${ENV_TRUE.join('/')} or ${ENV_FALSE.join('/')}, not "${raw}"`);
}

/** CRAWL_* values for the flags of `specs` not given on the command line; unknown names warned about. */
function fromEnv(env: NodeJS.ProcessEnv, specs: readonly OptionSpec[], given: ReadonlySet<string>, warnings: string[]): Map<string, OptionValue> {
  const known = new Set<string>();
  for (const o of OPTIONS) {
    if (o.env === false) continue;
    known.add(envName(o.name));
    if (o.kind === 'boolean') known.add(envName(`no-${o.name}`));
  }
  for (const key of Object.keys(env).sort()) {
    if (key.startsWith('CRAWL_') && !known.has(key)) warnings.push(`crawl: warning: ignoring ${key}: no flag --${key.slice(6).toLowerCase().replace(/_/g, '-')}`);
  }
  const out = new Map<string, OptionValue>();
  for (const s of specs) {
    if (s.env === false || given.has(s.name)) continue;
    const name = envName(s.name);
    const raw = env[name];
    if (s.kind === 'boolean') {
      const noName = envName(`no-${s.name}`);
      const neg = env[noName];
      const pos = raw === undefined || raw === '' ? undefined : envBoolean(name, raw);
      const off = neg === undefined || neg === '' ? undefined : envBoolean(noName, neg);
      if (pos !== undefined && off !== undefined && pos === off) throw new UsageError(`${name} and ${noName} disagree`);
      if (pos !== undefined) out.set(s.name, pos);
      else if (off !== undefined) out.set(s.name, !off);
    } else if (raw !== undefined && raw !== '') {
      out.set(s.name, checkValue(s, raw, name));
    }
  }
  return out;
}

/** Parses one invocation. Throws UsageError (one line) for anything the user got wrong. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Args {
  checkBooleanValues(argv);
  const parsed = parse(argv);
  const { command, positionals } = commandOf(parsed.positionals);
  const specs = optionsOf(command);
  // Every flag is known to the parse; one of another command is named as such.
  for (const name of parsed.values.keys()) {
    if (!specs.some((s) => s.name === name)) throw new UsageError(`--${name} is not an option of ${command === 'crawl' ? 'crawl' : `crawl ${command}`}`);
  }
  if (command === 'crawl' && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);

  const values = new Map<string, OptionValue>();
  const given = new Set<string>();
  for (const s of specs) {
    const v = parsed.values.get(s.name);
    if (v === undefined) continue;
    given.add(s.name);
    values.set(s.name, typeof v === 'boolean' ? v : checkValue(s, String(v), `--${s.name}`));
  }
  const warnings: string[] = [];
  for (const [k, v] of fromEnv(env, specs, given, warnings)) {
    values.set(k, v);
    given.add(k);
  }

  const spec = (name: string, kind: OptionSpec['kind'] | 'text'): OptionSpec => {
    const s = specs.find((o) => o.name === name);
    const ok = s && (kind === 'text' ? s.kind === 'string' || s.kind === 'choice' : s.kind === kind);
    if (!s || !ok) throw new Error(`no ${kind} option --${name} in ${command}`);
    return s;
  };
  const value = (s: OptionSpec): OptionValue | undefined => values.get(s.name) ?? s.default;
  return {
    command,
    positionals,
    warnings,
    given: (name) => given.has(spec(name, specs.find((o) => o.name === name)?.kind ?? 'string').name),
    bool: (name) => value(spec(name, 'boolean')) === true,
    num: (name) => value(spec(name, 'number')) as number | undefined,
    str: (name) => value(spec(name, 'text')) as string | undefined,
    choice: <T extends string>(name: string, choices: readonly T[]): T => {
      const v = value(spec(name, 'choice'));
      const found = choices.find((c) => c === v);
      if (found === undefined) throw new Error(`--${name}: "${String(v)}" is not one of ${choices.join(', ')}`);
      return found;
    },
  };
}
