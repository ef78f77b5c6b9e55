/** `--help` for each command, laid out by yargs from the option table. */
import yargs from 'yargs';
import { EXIT_HELP } from './exit.js';
import { optionsOf, type CommandName, type OptionSpec } from './options.js';
import { ENV_FALSE, ENV_TRUE } from './parse.js';

const USAGE: Record<CommandName, string> = {
  crawl: [
    'crawl [--peers host:port,...] [options]',
    '',
    'Connect to Bitcoin nodes and print every transaction they announce as NDJSON on stdout (logs on stderr).',
    '',
    'Commands:',
    '  crawl            crawl (the default)',
    '  crawl decode     decode raw transactions (see crawl decode --help)',
    '  crawl merge      merge several vantages\' lines into propagation lines (see crawl merge --help)',
    '  crawl report     saved lines as one HTML page of charts (see crawl report --help)',
  ].join('\n'),
  decode: [
    'crawl decode [hex...]',
    '',
    'Decode raw transactions (hex arguments, or one per stdin line) into transaction lines on stdout.',
  ].join('\n'),
  merge: [
    'crawl merge --nats URL [--window S] [--durable NAME] [--since TIME|all]',
    'crawl merge FILE...',
    '',
    'Several crawlers\' (vantages\') transaction and block lines, from a NATS stream or one NDJSON file per vantage,',
    'as one "propagation" line per item: when each vantage first heard of it, which was first, the spread.',
  ].join('\n'),
  report: [
    'crawl report FILE... [-o report.html]',
    '',
    'Saved lines (crawl, census, crawl merge output; - reads stdin) as one self-contained HTML page of charts:',
    'census, propagation and mempool sections, each with its numbers in tables. Unreadable lines are counted, not fatal.',
  ].join('\n'),
};

const EXAMPLES: Record<CommandName, readonly (readonly [string, string])[]> = {
  crawl: [
    ['crawl > txs.ndjson', 'mainnet, peers from the DNS seeds'],
    ['crawl -n regtest -p 127.0.0.1 --emit tx,block', 'one regtest node: transactions and blocks'],
    ['CRAWL_NETWORK=signet crawl | jq .txid', 'a flag from the environment; txids only'],
  ],
  decode: [
    ['crawl decode 0100000001...', 'one transaction from an argument'],
    ['bitcoin-cli getrawtransaction TXID | crawl decode', 'from stdin, one per line'],
    ['crawl decode -n regtest --raw < txs.hex', 'regtest addresses, with the hex'],
  ],
  merge: [
    ['crawl merge --nats nats://bus:4222 --durable lab', 'live, resuming where the last merge under that name stopped'],
    ['crawl merge --nats nats://bus:4222 --since all --window 60', 'the whole stream, items grouped for a minute'],
    ['crawl merge berlin.ndjson tokyo.ndjson', 'two crawls\' output files (each file a vantage)'],
  ],
  report: [
    ['crawl report census.ndjson > census.html', 'a census as charts'],
    ['crawl merge a.ndjson b.ndjson | crawl report - a.ndjson -o prop.html', 'propagation between two vantages'],
  ],
};

/** Two CRAWL_* examples per command, of flags that command takes (a number or text, a boolean). */
const ENV_EXAMPLES: Record<CommandName, string> = {
  crawl: 'CRAWL_PING_INTERVAL=30, CRAWL_NO_RECONNECT=1',
  decode: 'CRAWL_NETWORK=regtest, CRAWL_RAW=1',
  merge: 'CRAWL_WINDOW=60, CRAWL_LOG_FORMAT=json',
  report: 'CRAWL_OUTPUT=report.html, CRAWL_NETWORK=signet',
};

/** Lists whose values add up when the flag is given twice, by command. */
const LISTS: Record<CommandName, string> = {
  crawl: ' (--peers, --emit and --onlynet add up)',
  decode: '',
  merge: '',
  report: '',
};

function envHelp(command: CommandName): string {
  return [
    'Environment:',
    `  Every flag can come from CRAWL_<FLAG> (${ENV_EXAMPLES[command]}); the command`,
    `  line wins. Booleans: ${ENV_TRUE.join('/')} or ${ENV_FALSE.join('/')}. Unknown CRAWL_* variables are ignored with a warning.`,
    `  A flag given twice takes its last value${LISTS[command]}.`,
  ].join('\n');
}

function describe(s: OptionSpec, command: CommandName): string {
  const parts = [s.describeFor?.[command] ?? s.describe];
  if (s.choices) parts.push(`(${s.choices.join(', ')})`);
  const def = s.defaultText ?? (s.default === undefined || s.default === false ? undefined : String(s.default));
  if (def !== undefined && s.name !== 'help' && s.name !== 'version') parts.push(`[default: ${def}]`);
  return parts.join(' ');
}

export async function helpText(command: CommandName, columns: number | undefined): Promise<string> {
  let y = yargs([]).scriptName('crawl').usage(USAGE[command]).help(false).version(false).exitProcess(false);
  for (const s of optionsOf(command)) {
    y = y.option(s.name, {
      alias: s.alias,
      type: s.kind === 'boolean' ? 'boolean' : s.kind === 'number' ? 'number' : 'string',
      describe: describe(s, command),
      ...(s.value ? { requiresArg: true, nargs: 1 } : {}),
    });
  }
  for (const [cmd, what] of EXAMPLES[command]) y = y.example(cmd, what);
  const statuses: Record<CommandName, string> = {
    crawl: EXIT_HELP,
    decode: 'Exit statuses: 0 all decoded, 1 a bad input line, 2 a bad flag, 3 an internal error',
    merge: 'Exit statuses: 0 done (a signal ends a bus merge), 1 a file or the bus could not be read, 2 a bad flag, 3 an internal error',
    report: 'Exit statuses: 0 written (bad lines are counted in the page), 1 a file could not be read or written, 2 a bad flag, 3 an internal error',
  };
  y = y.epilogue(`${envHelp(command)}\n\n${statuses[command]}`);
  y = y.wrap(Math.min(110, columns || 110));
  return y.getHelp();
}
