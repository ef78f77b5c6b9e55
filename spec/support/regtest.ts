/**
 * A real Bitcoin node for the tests and the demo: bcoin 1.0.2 (npm) in regtest, in memory, on
 * free loopback ports, dialling nobody. Its wallet makes the traffic: a legacy (P2PKH) and a
 * segwit (P2WPKH) wallet, funded by mining.
 *
 * Installed by `npm ci` alone: package.json's allowScripts lets only mrmr (bcoin's murmur3, which
 * has no JS fallback) compile; bcrypto, bsip, bstring and secp256k1 run on their JS fallbacks,
 * and leveldown is never opened with --memory=true.
 *
 *   node --import tsx spec/support/regtest.ts   starts a funded node, prints its ports, Ctrl-C stops
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { freePort, portOpen, until } from './harness.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const BCOIN_NODE = join(require.resolve('bcoin/package.json'), '..', 'bin', 'node');

/** How long bcoin may take to open its HTTP and P2P ports. */
const START_DEADLINE_MS = 60_000;
/** How long the wallets may take to see mature coins after mining. */
const FUND_DEADLINE_MS = 60_000;
/** Coinbases mined to each wallet: each is one spendable coin, so this many sends in a row. */
const COINBASES_PER_WALLET = 25;
/** COINBASE_MATURITY. */
const MATURITY = 100;
/**
 * bcoin's regtest activates segwit by BIP 9 (lib/protocol/networks.js: 144-block windows): started
 * at 144, locked in at 288, active at 432. Before that its mempool refuses witness spends.
 */
const SEGWIT_ACTIVE_HEIGHT = 432;
const DEFAULT_SEND_SATS = 100_000;
const PROBE_SATS = 10_000;

export interface SentTx {
  readonly txid: string;
  readonly wtxid: string;
  readonly size: number;
  readonly vsize: number;
  readonly hex: string;
  readonly outputs: ReadonlyArray<{ readonly value: number; readonly script: string }>;
}

export interface RegtestNode {
  readonly p2pPort: number;
  readonly rpcPort: number;
  readonly walletPort: number;
  rpc<T>(method: string, params?: unknown[]): Promise<T>;
  /** Creates the two wallets and gives each mature coins. */
  fund(): Promise<void>;
  sendLegacy(sats?: number): Promise<SentTx>;
  sendSegwit(sats?: number): Promise<SentTx>;
  /** Mines n blocks; returns their hashes. */
  mine(n: number): Promise<string[]>;
  stop(): Promise<void>;
  /** Stops and starts again on the same ports, with a fresh in-memory chain (fund again). */
  restart(): Promise<void>;
}

export async function startRegtest(opts: { p2pPort?: number; log?: (line: string) => void } = {}): Promise<RegtestNode> {
  const p2pPort = opts.p2pPort ?? (await freePort());
  const rpcPort = await freePort();
  const walletPort = await freePort();
  const apiKey = randomBytes(16).toString('hex');
  const auth = 'Basic ' + Buffer.from(`x:${apiKey}`).toString('base64');
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };

  async function request<T>(port: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`regtest: ${method} ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    const r = await request<{ result: T; error: { message: string } | null }>(rpcPort, 'POST', '/', { method, params });
    if (r.error) throw new Error(`regtest: rpc ${method}: ${r.error.message}`);
    return r.result;
  }

  async function start(): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'bitcrawl-bcoin-'));
    const logFd = openSync(join(dir, 'bcoin.log'), 'a');
    child = spawn(
      process.execPath,
      [
        BCOIN_NODE,
        '--network=regtest',
        '--memory=true',
        '--workers=false',
        '--listen=true',
        '--host=127.0.0.1',
        // Dial nobody: the only peer it may dial is a closed port.
        '--only=127.0.0.1:9',
        `--port=${p2pPort}`,
        `--http-host=127.0.0.1`,
        `--http-port=${rpcPort}`,
        `--wallet-http-host=127.0.0.1`,
        `--wallet-http-port=${walletPort}`,
        `--api-key=${apiKey}`,
        `--prefix=${dir}`,
        '--log-level=warning',
        '--log-console=true',
      ],
      { stdio: ['ignore', logFd, logFd] },
    );
    process.once('exit', killOnExit);
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`regtest: bcoin exited (${code}); see ${dir}/bcoin.log`))));
    exited.catch(() => {});
    await Promise.race([
      exited,
      (async () => {
        await until('the node HTTP server answering', START_DEADLINE_MS, () => request(rpcPort, 'GET', '/').then(() => true));
        await until('the wallet HTTP server answering', START_DEADLINE_MS, () => request(walletPort, 'GET', '/wallet/primary').then(() => true));
        // bcoin opens its P2P listener seconds after its HTTP servers.
        await until(`the P2P port ${p2pPort} accepting`, START_DEADLINE_MS, () => portOpen(p2pPort));
      })(),
    ]);
    opts.log?.(`regtest: bcoin up, p2p ${p2pPort}, rpc ${rpcPort}, wallet ${walletPort}`);
  }

  async function stop(): Promise<void> {
    const c = child;
    child = undefined;
    process.off('exit', killOnExit);
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  }

  // bcoin's validator yields null, not undefined, for a missing account: name the default one.
  const address = (wallet: string): Promise<string> =>
    request<{ address: string }>(walletPort, 'POST', `/wallet/${wallet}/address`, { account: 'default' }).then((r) => r.address);

  async function send(wallet: string, sats: number): Promise<SentTx> {
    const to = await address(wallet);
    const details = await request<{ hash: string; size: number; virtualSize: number; tx: string }>(walletPort, 'POST', `/wallet/${wallet}/send`, {
      outputs: [{ address: to, value: sats }],
    });
    // The wallet does not report the wtxid or output scripts; the node's view of the tx does.
    const tx = await request<{ hash: string; witnessHash: string; hex: string; outputs: Array<{ value: number; script: string }> }>(
      rpcPort,
      'GET',
      `/tx/${details.hash}`,
    );
    return {
      txid: tx.hash,
      wtxid: tx.witnessHash,
      size: details.size,
      vsize: details.virtualSize,
      hex: tx.hex,
      outputs: tx.outputs.map((o) => ({ value: o.value, script: o.script })),
    };
  }

  async function mine(n: number, to?: string): Promise<string[]> {
    return rpc<string[]>('generatetoaddress', [n, to ?? (await address('primary'))]);
  }

  async function fund(): Promise<void> {
    for (const [id, witness] of [
      ['legacy', false],
      ['segwit', true],
    ] as const) {
      await request(walletPort, 'PUT', `/wallet/${id}`, { witness }).catch(() => undefined); // exists after a fund() without restart
      await mine(COINBASES_PER_WALLET, await address(id));
    }
    const height = (await rpc<{ blocks: number }>('getblockchaininfo')).blocks;
    await mine(Math.max(MATURITY, SEGWIT_ACTIVE_HEIGHT - height));
    // The wallet follows the chain asynchronously and has no height to ask for: wait until each
    // wallet can really spend (a small payment to itself), then confirm those payments.
    for (const id of ['legacy', 'segwit']) await until(`wallet ${id} able to spend`, FUND_DEADLINE_MS, () => send(id, PROBE_SATS));
    await mine(1);
  }

  await start();
  return {
    p2pPort,
    rpcPort,
    walletPort,
    rpc,
    fund,
    sendLegacy: (sats = DEFAULT_SEND_SATS) => send('legacy', sats),
    sendSegwit: (sats = DEFAULT_SEND_SATS) => send('segwit', sats),
    mine: (n) => mine(n),
    stop,
    restart: async () => {
      await stop();
      await start();
    },
  };
}

// Run directly: a funded node until Ctrl-C.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const node = await startRegtest({ log: (l) => console.error(l) });
  await node.fund();
  console.log(JSON.stringify({ p2pPort: node.p2pPort, rpcPort: node.rpcPort, walletPort: node.walletPort }));
  const stop = (): void => void node.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
