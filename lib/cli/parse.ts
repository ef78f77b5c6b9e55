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

const PARSER_CONFIG = {
  'duplicate-arguments-array': false,
  'camel-case-expansion': false,
  'parse-numbers': false,
  'parse-positional-numbers': false,
  'strip-aliased': true,
  'boolean-negation': true,
} as const;

/** A yargs instance that knows `specs` (tokenising only: no help, no version, no env). */
export function tokeniser(argv: readonly string[], specs: readonly OptionSpec[], config: Partial<Record<keyof typeof PARSER_CONFIG, boolean>> = {}) {
  let y = yargs([...argv]).parserConfiguration({ ...PARSER_CONFIG, ...config }).help(false).version(false).exitProcess(false);
  for (const s of specs) {
    y = y.option(s.name, {
      type: s.kind === 'boolean' ? 'boolean' : 'string',
      alias: s.alias,
      requiresArg: s.kind !== 'boolean',
    });
  }
  return y;
}

/** The command named by the first positional argument; `crawl` when there is none. */
function commandOf(argv: readonly string[]): { command: CommandName; positionals: string[] } {
  const parsed = tokeniser(argv, OPTIONS)
    .option('help', { type: 'boolean' })
    .fail(() => {})
    .parseSync();
  const positionals = parsed._.map(String);
  const first = positionals[0];
  if (first === undefined) return { command: 'crawl', positionals: [] };
  if (first !== 'crawl' && (COMMANDS as readonly string[]).includes(first)) return { command: first as CommandName, positionals: positionals.slice(1) };
  const hint = first === 'help' ? ' (did you mean --help?)' : '';
  throw new UsageError(`unknown command "${first}"${hint}: crawl takes "decode", "merge", "report" or no command (to crawl)`);
}

function flagName(token: string, specs: readonly OptionSpec[]): string {
  const bare = token.replace(/^-+/, '');
  const spec = specs.find((s) => s.name === bare || s.alias === bare);
  return spec ? `--${spec.name}` : token;
}

/** yargs' messages, reworded as ours. */
function yargsMessage(msg: string, command: CommandName, specs: readonly OptionSpec[]): string {
  let m = /^Not enough arguments following: (.+)$/.exec(msg);
  if (m) return `${flagName(m[1], specs)} needs a value`;
  m = /^Unknown arguments?: (.+)$/.exec(msg);
  if (m) {
    const names = m[1].split(', ');
    const other = OPTIONS.find((o) => names.includes(o.name) && !o.commands.includes(command));
    if (other) return `--${other.name} is not an option of ${command === 'crawl' ? 'crawl' : `crawl ${command}`}`;
    return `unknown option ${names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ')}`;
  }
  return msg.replace(/\s*\n\s*/g, ' ');
}

/** `--x=value` on a boolean flag: only true or false; --help and --version take no value. */
function checkBooleanValues(argv: readonly string[], specs: readonly OptionSpec[]): void {
  for (const token of argv) {
    if (token === '--') return;
    const m = /^--(?:no-)?([^=]+)=(.*)$/s.exec(token);
    if (!m) continue;
    const spec = specs.find((s) => s.name === m[1] && s.kind === 'boolean');
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

/**
 * Every value of each repeatable flag, in order, however each was written (`--x v`, `--x=v`,
 * `-p v`, …): the same tokenising with yargs' duplicate-arguments-array on, which the main parse
 * keeps off so that other flags take their last value.
 */
function everyValue(argv: readonly string[], specs: readonly OptionSpec[]): Map<string, string[]> {
  const parsed = tokeniser(argv, specs, { 'duplicate-arguments-array': true })
    .fail(() => {})
    .parseSync();
  const out = new Map<string, string[]>();
  for (const s of specs) {
    const v: unknown = parsed[s.name];
    if (s.repeatable && v !== undefined) out.set(s.name, (Array.isArray(v) ? v : [v]).map(String));
  }
  return out;
}

/** Parses one invocation. Throws UsageError (one line) for anything the user got wrong. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Args {
  const { command, positionals } = commandOf(argv);
  const specs = optionsOf(command);
  checkBooleanValues(argv, specs);
  let failure: string | undefined;
  const parsed = tokeniser(argv, specs)
    .strictOptions()
    .fail((msg, err) => {
      failure = msg || err?.message || 'bad arguments';
    })
    .parseSync();
  if (failure !== undefined) throw new UsageError(yargsMessage(failure, command, specs));
  if (command === 'crawl' && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);

  const values = new Map<string, OptionValue>();
  const given = new Set<string>();
  const lists = everyValue(argv, specs);
  for (const s of specs) {
    const v: unknown = parsed[s.name];
    if (v === undefined) continue;
    given.add(s.name);
    const text = lists.get(s.name)?.join(',') ?? String(v);
    values.set(s.name, typeof v === 'boolean' ? v : checkValue(s, text, `--${s.name}`));
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
