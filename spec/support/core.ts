/**
 * Bitcoin Core regtest nodes for the end-to-end tests: each on free loopback ports, in a fresh
 * temporary datadir, dialling nobody until told to. The binary comes from the caller (the tests
 * read it from the BITCOIND environment variable). What it shares with btcd's harness (JSON-RPC,
 * the node's process) is spec/support/rpc-node.ts'; free ports and polling, spec/support/harness.ts'.
 *
 *   BITCOIND=/path/to/bitcoind node --import tsx spec/support/core.ts   starts a node, prints its ports
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { launchOnFreePorts, until } from './harness.js';
import { jsonRpc, NodeProcess, RPC_PASSWORD, RPC_USER, START_DEADLINE_MS, type Rpc } from './rpc-node.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Results of the Core RPCs the tests use (only the fields they read).

export interface BlockchainInfo {
  readonly chain: string;
  readonly blocks: number;
  readonly bestblockhash: string;
}

export interface CorePeerInfo {
  readonly id: number;
  readonly addr: string;
  /** Our side of the connection. */
  readonly addrbind: string;
  readonly inbound: boolean;
  readonly subver: string;
  readonly version: number;
  readonly relaytxes: boolean;
  /** 'v1' (plaintext) or 'v2' (BIP 324); 'detecting' while an inbound connection's first bytes are awaited. */
  readonly transport_protocol_type: string;
  /** BIP 324 session id, 64 hex digits, on a v2 connection; '' on v1. */
  readonly session_id: string;
  readonly connection_type: string;
  /** Transactions queued for announcement to this peer (the trickle's backlog). */
  readonly inv_to_send: number;
  readonly bytessent_per_msg: Readonly<Record<string, number>>;
  readonly bytesrecv_per_msg: Readonly<Record<string, number>>;
  /** BIP 152 high-bandwidth mode: the node asked this peer to push new blocks by cmpctblock. */
  readonly bip152_hb_to: boolean;
  /** ... this peer asked the node to (for a crawler's connection: the crawler sent sendcmpct(1)). */
  readonly bip152_hb_from: boolean;
}

export interface CoreVin {
  readonly txid?: string;
  readonly vout?: number;
  readonly coinbase?: string;
  readonly scriptSig?: { readonly asm: string; readonly hex: string };
  readonly txinwitness?: readonly string[];
  readonly sequence: number;
}

export interface CoreVout {
  readonly value: number;
  readonly n: number;
  readonly scriptPubKey: { readonly asm: string; readonly hex: string; readonly type: string; readonly address?: string };
}

/** `decoderawtransaction` (and `getrawtransaction TXID 1`). */
export interface CoreTx {
  readonly txid: string;
  readonly hash: string;
  readonly version: number;
  readonly size: number;
  readonly vsize: number;
  readonly weight: number;
  readonly locktime: number;
  readonly vin: readonly CoreVin[];
  readonly vout: readonly CoreVout[];
}

/** `getblock HASH 1`. */
export interface CoreBlock {
  readonly hash: string;
  readonly height: number;
  readonly version: number;
  readonly merkleroot: string;
  readonly time: number;
  readonly nonce: number;
  readonly bits: string;
  readonly nTx: number;
  readonly previousblockhash?: string;
  readonly strippedsize: number;
  readonly size: number;
  readonly weight: number;
  readonly tx: readonly string[];
}

/** `listunspent` entries. */
export interface CoreUnspent {
  readonly txid: string;
  readonly vout: number;
  readonly address: string;
  readonly amount: number;
  readonly confirmations: number;
}

export interface CoreNode {
  readonly p2pPort: number;
  readonly rpcPort: number;
  /** host:port as a crawler dials it. */
  readonly p2p: string;
  readonly datadir: string;
  readonly rpc: Rpc;
  /** Calls on `/wallet/<name>`. */
  wallet(name: string): Rpc;
  /** Whether the process is running. */
  readonly running: boolean;
  /** RPC `stop`, then waits for the process (killed after 30 s); removes the datadir. */
  stop(): Promise<void>;
  /** Stops and starts again on the same ports and datadir (chain, mempool and wallets kept). */
  restart(): Promise<void>;
}

export interface CoreOptions {
  /** Path to bitcoind. */
  readonly bitcoind: string;
  /** Added to the standard flags, e.g. ['-blocksonly']. */
  readonly args?: readonly string[];
}

function coreArgs(datadir: string, p2pPort: number, rpcPort: number, extra: readonly string[]): string[] {
  return [
    '-regtest',
    `-datadir=${datadir}`,
    '-listen=1',
    `-bind=127.0.0.1:${p2pPort}`,
    `-port=${p2pPort}`,
    `-rpcport=${rpcPort}`,
    '-rpcbind=127.0.0.1',
    '-rpcallowip=127.0.0.1',
    `-rpcuser=${RPC_USER}`,
    `-rpcpassword=${RPC_PASSWORD}`,
    '-fallbackfee=0.0002',
    '-dnsseed=0',
    '-fixedseeds=0',
    '-listenonion=0',
    '-discover=0',
    '-natpmp=0',
    '-printtoconsole=0',
    ...extra,
  ];
}

export async function startCore(opts: CoreOptions): Promise<CoreNode> {
  const datadir = mkdtempSync(join(tmpdir(), 'bitcrawl-core-'));
  let p2pPort = 0;
  let rpcPort = 0;
  let node: NodeProcess | undefined;
  let rpc: Rpc = () => Promise.reject(new Error('core: not started'));

  async function launch(): Promise<void> {
    rpc = jsonRpc(`http://127.0.0.1:${rpcPort}/`, RPC_USER, RPC_PASSWORD);
    node = await NodeProcess.start(
      'bitcoind',
      () => spawn(opts.bitcoind, coreArgs(datadir, p2pPort, rpcPort, opts.args ?? []), { stdio: ['ignore', 'ignore', 'pipe'] }),
      () => until('bitcoind answering getblockchaininfo', START_DEADLINE_MS, () => rpc<BlockchainInfo>('getblockchaininfo')),
    );
  }

  async function shutdown(): Promise<void> {
    const n = node;
    node = undefined;
    await n?.stop(() => rpc('stop'));
  }

  // Ports are free when chosen, but another process may take one before bitcoind binds it.
  await launchOnFreePorts(
    (p2p, rpc) => {
      p2pPort = p2p;
      rpcPort = rpc;
      return launch();
    },
    /bind|HTTP server/i,
    () => rmSync(datadir, { recursive: true, force: true }),
  );

  return {
    get p2pPort() {
      return p2pPort;
    },
    get rpcPort() {
      return rpcPort;
    },
    get p2p() {
      return `127.0.0.1:${p2pPort}`;
    },
    datadir,
    rpc: (method, params) => rpc(method, params),
    wallet: (name) => jsonRpc(`http://127.0.0.1:${rpcPort}/wallet/${encodeURIComponent(name)}`, RPC_USER, RPC_PASSWORD),
    get running() {
      return node !== undefined;
    },
    async stop() {
      await shutdown();
      rmSync(datadir, { recursive: true, force: true });
    },
    async restart() {
      await shutdown();
      await launch();
    },
  };
}

/** Starts several nodes at once; if one fails, stops the others and throws its error. */
export async function startCores(options: readonly CoreOptions[]): Promise<CoreNode[]> {
  const started = await Promise.allSettled(options.map((o) => startCore(o)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return started.map((r) => (r as PromiseFulfilledResult<CoreNode>).value);
  await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
  throw failed.reason;
}

/** `from` dials `to` once (`addnode … onetry`); resolves when each lists the other, handshake done. */
export async function connectCore(from: CoreNode, to: CoreNode, deadlineMs = 30_000): Promise<void> {
  await from.rpc('addnode', [to.p2p, 'onetry']);
  await until(`${from.p2p} and ${to.p2p} connected`, deadlineMs, async () => {
    const out = (await from.rpc<CorePeerInfo[]>('getpeerinfo')).find((p) => !p.inbound && p.addr === to.p2p && p.version > 0);
    if (!out) return undefined;
    // The outbound side's local address is the inbound side's peer address.
    const inb = (await to.rpc<CorePeerInfo[]>('getpeerinfo')).find((p) => p.inbound && p.addr === out.addrbind && p.version > 0);
    return inb ? true : undefined;
  });
}

/** Every connection of a crawler (its subversion is bitcrawl's), as a Core node lists it. */
export async function crawlerPeers(node: CoreNode): Promise<CorePeerInfo[]> {
  return (await node.rpc<CorePeerInfo[]>('getpeerinfo')).filter((p) => p.subver.startsWith('/bitcrawl:'));
}

/** A crawler's one connection to `node`, if any. */
export async function crawlerPeer(node: CoreNode): Promise<CorePeerInfo | undefined> {
  return (await crawlerPeers(node))[0];
}

/**
 * `node` drops every connection but crawlers' (`disconnectnode`); resolves once it lists no other.
 * Made with `addnode … onetry` (connectCore) and without -connect, nobody redials them.
 */
export async function isolate(node: CoreNode, deadlineMs = 30_000): Promise<void> {
  for (const p of await node.rpc<CorePeerInfo[]>('getpeerinfo')) if (!p.subver.startsWith('/bitcrawl:')) await node.rpc('disconnectnode', ['', p.id]);
  await until(`${node.p2p} alone with its crawlers`, deadlineMs, async () => ((await node.rpc<CorePeerInfo[]>('getpeerinfo')).every((p) => p.subver.startsWith('/bitcrawl:')) ? true : undefined));
}

/** Resolves with the common tip once every node has the same best block. */
export async function waitSameTip(nodes: readonly CoreNode[], deadlineMs = 30_000): Promise<BlockchainInfo> {
  return until('nodes at the same tip', deadlineMs, async () => {
    const infos = await Promise.all(nodes.map((n) => n.rpc<BlockchainInfo>('getblockchaininfo')));
    return infos.every((i) => i.bestblockhash === infos[0].bestblockhash) ? infos[0] : undefined;
  });
}

/** Two connected regtest nodes, a wallet `w` on `a`, `blocks` mined to one of its bech32 addresses, both at that tip. */
export interface WalletPair {
  readonly a: CoreNode;
  readonly b: CoreNode;
  readonly wallet: Rpc;
  readonly mineTo: string;
}

/** The set-up the mempool and compact-block specs share: `b` dials `a`, `a` mines `blocks` (110: ten coinbases mature). */
export async function startWalletPair(bitcoind: string, blocks = 110): Promise<WalletPair> {
  const [a, b] = await startCores([{ bitcoind }, { bitcoind }]);
  try {
    await a.rpc('createwallet', { wallet_name: 'w', load_on_startup: true });
    const wallet = a.wallet('w');
    const mineTo = await wallet<string>('getnewaddress', ['', 'bech32']);
    await connectCore(b, a);
    await a.rpc('generatetoaddress', [blocks, mineTo]);
    await waitSameTip([a, b]);
    return { a, b, wallet, mineTo };
  } catch (err) {
    await Promise.all([a.stop(), b.stop()]);
    throw err;
  }
}

// Run directly: one node until Ctrl-C.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const bitcoind = process.env.BITCOIND;
  if (!bitcoind) {
    console.error('set BITCOIND to the path of bitcoind');
    process.exit(2);
  }
  const node = await startCore({ bitcoind, args: process.argv.slice(2) });
  console.log(JSON.stringify({ p2pPort: node.p2pPort, rpcPort: node.rpcPort, datadir: node.datadir, rpcuser: RPC_USER, rpcpassword: RPC_PASSWORD }));
  const stop = (): void => void node.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
