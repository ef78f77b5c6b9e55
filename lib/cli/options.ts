/**
 * Every flag of every command, in one table: the parser, `--help`, the CRAWL_* environment
 * variables and the README test all read it. Adding a flag is adding a row here (and reading its
 * value where the command builds its options).
 */
import { NETWORK_NAMES } from '../wire/network.js';
import { LOG_LEVELS } from '../log/logger.js';
import { EMIT_KINDS, TRANSPORTS } from '../crawler/options.js';
import { DEFAULT_PEER_TIMINGS } from '../peer/timing.js';
import { DEFAULT_INVENTORY_LIMITS } from '../crawler/inventory-limits.js';
import { CENSUS_DEADLINE_MS, DEFAULT_CENSUS_CONCURRENCY } from '../crawler/census.js';
import { DEFAULT_MAX_PEERS, MAX_HANDSHAKES_IN_FLIGHT } from '../pool/handshakes.js';
import { DEFAULT_RPC_TIMEOUT_MS } from '../crawler/rpc-start.js';
import { NET_NAMES } from '../net/reach.js';
import { DEFAULT_MAX_AGE_S, DEFAULT_MAX_BYTES, DEFAULT_NATS_BUFFER, DEFAULT_STREAM } from '../output/nats-defaults.js';
import { DEFAULT_WINDOW_S } from '../merge/propagation.js';

/** Core's default ports for -proxy/-onion (Tor's SocksPort) and -i2psam (the SAM bridge's). */
export const DEFAULT_PROXY_PORT = 9050;
export const DEFAULT_SAM_PORT = 7656;

export const COMMANDS = ['crawl', 'decode', 'merge', 'report'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** `choice` takes one of `choices`; `number` a decimal number; `string` any text. */
export type OptionKind = 'boolean' | 'string' | 'number' | 'choice';
export type OptionValue = string | number | boolean;

export interface OptionSpec {
  /** The long flag without dashes, e.g. `ping-interval`. */
  readonly name: string;
  /** A one-letter short flag, e.g. `n` for `-n`. */
  readonly alias?: string;
  readonly kind: OptionKind;
  readonly choices?: readonly string[];
  /** The value when the flag is not given (as the flag takes it); absent = unset. */
  readonly default?: OptionValue;
  /** How --help shows the default when it is not a plain value. */
  readonly defaultText?: string;
  /** What the value looks like in --help, e.g. `S` (seconds) or `host:port,...`. */
  readonly value?: string;
  readonly describe: string;
  /** A command's own wording, where the flag does something else there (--nats: crawl publishes, merge reads). */
  readonly describeFor?: Partial<Record<CommandName, string>>;
  /** The commands that take this flag. */
  readonly commands: readonly CommandName[];
  /** Taken from CRAWL_<NAME> as well (every flag but --help and --version). */
  readonly env?: false;
  /** May be given more than once, every value kept (as a comma-separated list), like Core's -onlynet. */
  readonly repeatable?: true;
}

const BOTH: readonly CommandName[] = ['crawl', 'decode'];
const CRAWL: readonly CommandName[] = ['crawl'];
const ALL: readonly CommandName[] = COMMANDS;
/** The commands that read or decode a Bitcoin network's data (not report, which reads lines). */
const NETWORKED: readonly CommandName[] = ['crawl', 'decode', 'merge'];
const MERGE: readonly CommandName[] = ['merge'];
const REPORT: readonly CommandName[] = ['report'];
/** Where a crawl publishes and a merge reads. */
const BUS: readonly CommandName[] = ['crawl', 'merge'];

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'network', alias: 'n', kind: 'choice', choices: NETWORK_NAMES, default: 'mainnet', describe: 'Which Bitcoin network', commands: NETWORKED },
  { name: 'raw', kind: 'boolean', default: false, describe: 'Add the raw transaction hex to each line', commands: BOTH },
  {
    name: 'peers',
    alias: 'p',
    kind: 'string',
    value: 'host:port,...',
    defaultText: 'the DNS seeds',
    describe: 'Comma-separated host:port, [ipv6]:port or host (default port); repeat it to add more',
    commands: CRAWL,
    repeatable: true,
  },
  {
    name: 'peers-file',
    kind: 'string',
    value: 'FILE',
    defaultText: 'none',
    describe: 'Peers to keep connected, one host[:port] a line (# comments); - reads stdin. With --peers, both',
    commands: CRAWL,
  },
  { name: 'ping-interval', kind: 'number', value: 'S', default: DEFAULT_PEER_TIMINGS.pingIntervalMs / 1000, describe: 'Seconds between pings', commands: CRAWL },
  { name: 'ping-timeout', kind: 'number', value: 'S', default: DEFAULT_PEER_TIMINGS.pingTimeoutMs / 1000, describe: 'Seconds to wait for a pong before dropping the peer', commands: CRAWL },
  { name: 'handshake-timeout', kind: 'number', value: 'S', default: DEFAULT_PEER_TIMINGS.handshakeTimeoutMs / 1000, describe: 'Seconds to finish version/verack', commands: CRAWL },
  { name: 'connect-timeout', kind: 'number', value: 'S', default: DEFAULT_PEER_TIMINGS.connectTimeoutMs / 1000, describe: 'Seconds for the TCP connection to complete (Core: -timeout)', commands: CRAWL },
  {
    name: 'request-timeout',
    kind: 'number',
    value: 'S',
    default: DEFAULT_INVENTORY_LIMITS.requestTimeoutMs / 1000,
    describe: 'Seconds a peer has to deliver a requested item before the next announcer is asked',
    commands: CRAWL,
  },
  { name: 'max-in-flight', kind: 'number', value: 'N', default: DEFAULT_INVENTORY_LIMITS.maxTxInFlightPerPeer, describe: 'Transactions asked of one peer at once', commands: CRAWL },
  { name: 'emit', kind: 'string', value: EMIT_KINDS.join(','), default: 'tx', describe: 'Line kinds to print (comma-separated, or repeat it)', commands: CRAWL, repeatable: true },
  { name: 'discover', kind: 'boolean', defaultText: 'on without --peers', describe: 'Dial peers learned from addr/addrv2', commands: CRAWL },
  {
    name: 'allow-local',
    kind: 'boolean',
    default: false,
    describe: 'Dial learned private, loopback and link-local addresses too (always on for regtest)',
    commands: CRAWL,
  },
  {
    name: 'transport',
    kind: 'choice',
    choices: TRANSPORTS,
    default: 'auto',
    describe: 'BIP 324: auto tries v2 (encrypted) and falls back to v1 as Core does; v2 or v1 only',
    commands: CRAWL,
  },
  { name: 'proxy', kind: 'string', value: 'host:port', defaultText: 'none', describe: `SOCKS5 proxy for every connection, Tor's for instance (Core: -proxy; port ${DEFAULT_PROXY_PORT} unless given)`, commands: CRAWL },
  { name: 'onion', kind: 'string', value: 'host:port', defaultText: '--proxy', describe: 'SOCKS5 proxy for .onion peers only (Core: -onion)', commands: CRAWL },
  { name: 'i2psam', kind: 'string', value: 'host:port', defaultText: 'none', describe: `I2P SAM 3.1 bridge for .b32.i2p peers (Core: -i2psam; port ${DEFAULT_SAM_PORT} unless given)`, commands: CRAWL },
  { name: 'i2p-key', kind: 'string', value: 'FILE', defaultText: 'transient keys', describe: 'Our I2P private key, generated there if the file does not exist (Core: <datadir>/i2p_private_key)', commands: CRAWL },
  { name: 'cjdns-reachable', kind: 'boolean', default: false, describe: 'Dial CJDNS peers (fc00::/8) directly: this host runs CJDNS (Core: -cjdnsreachable)', commands: CRAWL },
  {
    name: 'onlynet',
    kind: 'string',
    value: NET_NAMES.join('|'),
    defaultText: 'every reachable network',
    describe: 'Dial learned peers of these networks only; repeat it or list them with commas; others are still learned and printed (Core: -onlynet)',
    commands: CRAWL,
    repeatable: true,
  },
  { name: 'census', kind: 'boolean', default: false, describe: 'Visit every reachable node learned once (version, RTT as peer lines), then end', commands: CRAWL },
  {
    name: 'census-concurrency',
    kind: 'number',
    value: 'N',
    default: DEFAULT_CENSUS_CONCURRENCY,
    describe: 'Census: visits at once (each a file descriptor), instead of --max-peers',
    commands: CRAWL,
  },
  { name: 'visit-timeout', kind: 'number', value: 'S', default: CENSUS_DEADLINE_MS / 1000, describe: 'Census: seconds one visit may take, dial to done', commands: CRAWL },
  {
    name: 'addrbook',
    kind: 'string',
    value: 'FILE',
    defaultText: 'none',
    describe: 'Keep learned addresses in FILE across runs (like Core\'s peers.dat): loaded at start, saved every few minutes and at exit',
    commands: CRAWL,
  },
  { name: 'max-peers', kind: 'number', value: 'N', default: DEFAULT_MAX_PEERS, describe: 'Connections at most, configured and discovered together', commands: CRAWL },
  { name: 'max-handshakes', kind: 'number', value: 'N', default: MAX_HANDSHAKES_IN_FLIGHT, describe: 'Connections being opened (dial to verack) at once, at most', commands: CRAWL },
  { name: 'metrics-port', kind: 'number', value: 'P', defaultText: 'off', describe: 'Serve Prometheus metrics on 127.0.0.1:<port>/metrics', commands: CRAWL },
  { name: 'mempool-stats', kind: 'number', value: 'S', default: 0, defaultText: '0 (off)', describe: 'Seconds between "mempool" lines (count, vsize, oldest age, feerate histogram); implies --emit mempool', commands: CRAWL },
  {
    name: 'rpc',
    kind: 'string',
    value: 'URL',
    defaultText: 'none',
    describe: 'Bitcoin Core JSON-RPC, http://user:password@host:port/: asked for the outputs transactions spend, for their fees',
    commands: CRAWL,
  },
  { name: 'rpc-cookie', kind: 'string', value: 'FILE', defaultText: 'none', describe: "--rpc's credentials from Core's .cookie file", commands: CRAWL },
  { name: 'rpc-timeout', kind: 'number', value: 'S', default: DEFAULT_RPC_TIMEOUT_MS / 1000, describe: 'Seconds a line waits for --rpc at most (then it is printed without its fee)', commands: CRAWL },
  { name: 'reconnect', kind: 'boolean', default: true, describe: 'Redial dropped peers with backoff (--no-reconnect to stop)', commands: CRAWL },
  { name: 'log-level', kind: 'choice', choices: LOG_LEVELS, default: 'info', describe: 'stderr log level', commands: BUS },
  { name: 'log-format', kind: 'choice', choices: ['text', 'json'], default: 'text', describe: 'stderr log format', commands: BUS },
  {
    name: 'nats',
    kind: 'string',
    value: 'URL',
    defaultText: 'off',
    describe: 'NATS server(s), nats://host:port[,…]: publish every line there too (tls://: TLS required)',
    describeFor: { merge: 'NATS server(s), nats://host:port[,…]: read the crawlers\' lines from its stream (tls://: TLS required)' },
    commands: BUS,
  },
  { name: 'vantage', kind: 'string', value: 'NAME', defaultText: 'the host name', describe: 'This crawler\'s name in published lines (the "vantage" field)', commands: CRAWL },
  { name: 'stdout', kind: 'boolean', default: true, describe: 'Print lines on stdout (--no-stdout when NATS is the only sink)', commands: CRAWL },
  { name: 'nats-buffer', kind: 'number', value: 'N', default: DEFAULT_NATS_BUFFER, describe: 'Lines held while NATS is slow or away; beyond it lines are dropped and counted', commands: CRAWL },
  { name: 'nats-stream', kind: 'string', value: 'NAME', default: DEFAULT_STREAM, describe: 'JetStream stream on bitcrawl.> (created if missing)', commands: BUS },
  { name: 'nats-max-age', kind: 'number', value: 'S', default: DEFAULT_MAX_AGE_S, describe: 'A created stream keeps lines this many seconds', commands: BUS },
  { name: 'nats-max-bytes', kind: 'number', value: 'B', default: DEFAULT_MAX_BYTES, describe: 'A created stream keeps this many bytes at most (oldest go first)', commands: BUS },
  {
    name: 'window',
    kind: 'number',
    value: 'S',
    default: DEFAULT_WINDOW_S,
    describe: 'Seconds after its first line an item\'s propagation line is printed',
    describeFor: { crawl: 'Seconds after its first announcement an item\'s propagation line is printed (--emit propagation)' },
    commands: BUS,
  },
  { name: 'durable', kind: 'string', value: 'NAME', defaultText: 'none', describe: 'Durable consumer name: a merge restarted under it resumes where it stopped', commands: MERGE },
  { name: 'since', kind: 'string', value: 'TIME', defaultText: 'new lines only', describe: 'Where a new consumer starts: an ISO 8601 time, or "all" for the whole stream', commands: MERGE },
  { name: 'output', alias: 'o', kind: 'string', value: 'FILE', defaultText: 'stdout', describe: 'Write the HTML page to FILE', commands: REPORT },
  { name: 'help', alias: 'h', kind: 'boolean', default: false, describe: 'Show this help', commands: ALL, env: false },
  { name: 'version', kind: 'boolean', default: false, describe: 'Show the version', commands: ALL, env: false },
];

export function optionsOf(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((o) => o.commands.includes(command));
}

/** `ping-interval` → `CRAWL_PING_INTERVAL`. */
export function envName(name: string): string {
  return `CRAWL_${name.toUpperCase().replace(/-/g, '_')}`;
}
