import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import yargs from 'yargs';
import { DecodeError } from './wire/errors.js';
import { fromHex } from './wire/hex.js';
import { MAX_INV_ENTRIES } from './wire/limits.js';
import { NETWORKS, NETWORK_NAMES, type NetworkName, type NetworkParams } from './wire/network.js';
import { decodeTx } from './tx/transaction.js';
import { txLine } from './tx/view.js';
import { NdjsonSink } from './output/ndjson.js';
import { createLogger, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';
import { DEFAULTS, EMIT_KINDS, TRANSPORTS, UsageError, type CrawlOptions, type EmitKind } from './crawler/options.js';
import type { TransportChoice } from './peer/connect.js';
import { parsePeers } from './crawler/targets.js';
import { runCrawl } from './crawler/run.js';

export const VERSION = '0.1.0';

/** A sanity bound on --max-peers: each connection is a socket and some memory. */
const MAX_PEERS_LIMIT = 10_000;

/** Exit statuses, documented in the README. */
export const EXIT = { OK: 0, BAD_INPUT: 1, USAGE: 2, FAILED: 3 } as const;

export interface Io {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
}

function seconds(name: string, v: unknown, min = 0.001): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < min || n > 86_400) {
    throw new UsageError(`--${name} takes a number of seconds from ${min} to 86400, not "${String(v)}"`);
  }
  return Math.round(n * 1000);
}

function count(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new UsageError(`--${name} takes a whole number from 1 to ${max}, not "${String(v)}"`);
  return v;
}

function port(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > 65535) throw new UsageError(`--${name} takes a port number from 0 to 65535, not "${String(v)}"`);
  return v;
}

function emitKinds(v: unknown): Set<EmitKind> {
  const parts = String(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out = new Set<EmitKind>();
  for (const p of parts) {
    if (!(EMIT_KINDS as readonly string[]).includes(p)) {
      throw new UsageError(`--emit takes a list of ${EMIT_KINDS.join(', ')}, not "${p}"`);
    }
    out.add(p as EmitKind);
  }
  if (out.size === 0) throw new UsageError('--emit names no line kind');
  return out;
}

/** One transaction per argument or per stdin line → one JSON line each, in input order. */
export async function runDecode(inputs: readonly string[] | undefined, net: NetworkParams, raw: boolean, io: Io): Promise<number> {
  const out = new NdjsonSink(io.stdout);
  let bad = 0;
  let stop = false;
  out.onClose(() => {
    stop = true;
  });
  const decodeOne = (text: string, where: string): void => {
    try {
      const tx = decodeTx(fromHex(text));
      out.write(txLine(tx, net, { raw }));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      bad++;
      io.stderr.write(`crawl decode: ${where}: ${err.message}\n`);
    }
  };
  if (inputs && inputs.length > 0) {
    for (let i = 0; i < inputs.length && !stop; i++) {
      decodeOne(inputs[i].trim(), `argument ${i + 1}`);
      if (out.isBlocked) await out.drained();
    }
  } else {
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (stop) break;
      const text = line.trim();
      if (text === '') continue;
      decodeOne(text, `line ${n}`);
      if (out.isBlocked) await out.drained();
    }
    lines.close();
  }
  await out.flush();
  return bad > 0 ? EXIT.BAD_INPUT : EXIT.OK;
}

/** Parses argv and runs a command; resolves to the exit status. Never throws for bad input. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let status: number = EXIT.OK;
  let usageFailure: string | undefined;
  const parser = yargs([...argv])
    .scriptName('crawl')
    .env('CRAWL')
    .usage('$0 [--peers host:port,...] [options]\n\nConnect to Bitcoin nodes and print every transaction they announce as NDJSON.')
    .option('network', { alias: 'n', choices: NETWORK_NAMES, default: 'mainnet' as NetworkName, describe: 'Which Bitcoin network', global: true })
    .option('raw', { type: 'boolean', default: false, describe: 'Add the raw transaction hex to each line', global: true })
    .command(
      'decode [hex..]',
      'Decode raw transactions (hex arguments, or one per stdin line) into transaction lines',
      (y) => y.positional('hex', { type: 'string', array: true, describe: 'raw transaction hex' }),
    )
    .command('$0', 'Crawl: connect to peers and print what they announce')
    .option('peers', { alias: 'p', type: 'string', describe: 'Comma-separated host:port, [ipv6]:port or host (default port)' })
    .option('ping-interval', { type: 'number', default: DEFAULTS.pingInterval, describe: 'Seconds between pings' })
    .option('ping-timeout', { type: 'number', default: DEFAULTS.pingTimeout, describe: 'Seconds to wait for a pong before dropping the peer' })
    .option('handshake-timeout', { type: 'number', default: DEFAULTS.handshakeTimeout, describe: 'Seconds to finish version/verack' })
    .option('request-timeout', {
      type: 'number',
      default: DEFAULTS.requestTimeout,
      describe: 'Seconds a peer has to deliver a requested item before the next announcer is asked',
    })
    .option('max-in-flight', { type: 'number', default: DEFAULTS.maxInFlight, describe: 'Transactions asked of one peer at once' })
    .option('emit', { type: 'string', default: 'tx', describe: `Line kinds to print: ${EMIT_KINDS.join(',')}` })
    .option('discover', { type: 'boolean', describe: 'Dial peers learned from addr/addrv2 (default: on when --peers is not given)' })
    .option('allow-local', {
      type: 'boolean',
      default: false,
      describe: 'Dial learned private, loopback and link-local addresses too (always on for regtest)',
    })
    .option('transport', {
      choices: TRANSPORTS,
      default: 'auto' as TransportChoice,
      describe: 'BIP 324: auto tries v2 (encrypted) and falls back to v1 as Core does; v2 or v1 only',
    })
    .option('census', { type: 'boolean', default: false, describe: 'Visit every reachable node learned once (version, RTT as peer lines), then end' })
    .option('max-peers', { type: 'number', default: DEFAULTS.maxPeers, describe: 'Connections at most, configured and discovered together' })
    .option('max-handshakes', { type: 'number', default: DEFAULTS.maxHandshakes, describe: 'Connections being opened (dial to verack) at once, at most' })
    .option('metrics-port', { type: 'number', describe: 'Serve Prometheus metrics on 127.0.0.1:<port>/metrics' })
    .option('mempool-stats', { type: 'number', default: 0, describe: 'Seconds between "mempool" lines (count, vsize, oldest age); 0 = none' })
    .option('reconnect', { type: 'boolean', default: true, describe: 'Redial dropped peers with backoff (--no-reconnect to stop)' })
    .option('log-level', { choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'stderr log level' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as LogFormat, describe: 'stderr log format' })
    .group(['peers', 'ping-interval', 'ping-timeout', 'handshake-timeout', 'request-timeout', 'max-in-flight', 'emit', 'discover', 'allow-local', 'transport', 'census', 'max-peers', 'max-handshakes', 'metrics-port', 'mempool-stats', 'reconnect', 'log-level', 'log-format'], 'Crawl options:')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((msg, err) => {
      usageFailure = msg || err?.message || 'bad arguments';
    });

  const args = await parser.parseAsync();
  if (usageFailure !== undefined) {
    io.stderr.write(`crawl: ${usageFailure.replace(/\s*\n\s*/g, ' ')} (see crawl --help)\n`);
    return EXIT.USAGE;
  }
  // --help and --version have printed already.
  if (args.help || args.version) return EXIT.OK;
  const net = NETWORKS[args.network];
  const [cmd] = args._;
  try {
    if (cmd === 'decode') {
      status = await runDecode(args.hex as string[] | undefined, net, args.raw, io);
    } else if (cmd !== undefined) {
      throw new UsageError(`unknown command "${String(cmd)}"`);
    } else {
      const peers = args.peers === undefined ? [] : parsePeers(String(args.peers), net.defaultPort);
      const maxPeers = count('max-peers', args['max-peers'], MAX_PEERS_LIMIT);
      const maxInFlight = count('max-in-flight', args['max-in-flight'], MAX_INV_ENTRIES);
      const maxHandshakes = count('max-handshakes', args['max-handshakes'], MAX_PEERS_LIMIT);
      const options: CrawlOptions = {
        network: net,
        peers,
        discover: args.census || (args.discover ?? peers.length === 0),
        allowLocal: args['allow-local'],
        transport: args.transport,
        census: args.census,
        maxPeers,
        maxHandshakes,
        maxInFlight,
        pingIntervalMs: seconds('ping-interval', args['ping-interval']),
        pingTimeoutMs: seconds('ping-timeout', args['ping-timeout']),
        handshakeTimeoutMs: seconds('handshake-timeout', args['handshake-timeout']),
        requestTimeoutMs: seconds('request-timeout', args['request-timeout']),
        emit: emitKinds(args.emit),
        raw: args.raw,
        reconnect: args.reconnect,
        metricsPort: port('metrics-port', args['metrics-port']),
        statusToTty: (io.stderr as NodeJS.WriteStream).isTTY === true,
        mempoolStatsMs: args['mempool-stats'] === 0 ? 0 : seconds('mempool-stats', args['mempool-stats']),
      };
      const log = createLogger({ level: args['log-level'], format: args['log-format'] });
      status = await runCrawl(options, io, log);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`crawl: ${err.message}\n`);
      return EXIT.USAGE;
    }
    throw err;
  }
  return status;
}
