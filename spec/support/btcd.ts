/**
 * A btcd regtest node for the end-to-end tests, on free loopback ports in a fresh temporary
 * directory, and a tiny wallet for it: btcd has none, so one key (derived from a fixed seed:
 * regtest coins only) is the mining address, and spends are built and signed with
 * @scure/btc-signer from coinbases read back over RPC.
 *
 *   BTCD=/path/to/btcd node --import tsx spec/support/btcd.ts     starts a node, prints its ports
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as btc from '@scure/btc-signer';
import { hex } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { jsonRpc, NodeProcess, RPC_PASSWORD, RPC_USER, START_DEADLINE_MS, type Rpc } from './rpc-node.js';
import { launchOnFreePorts, portOpen, until } from './harness.js';

/** COINBASE_MATURITY. */
export const MATURITY = 100;
/**
 * btcd's regtest activates segwit and taproot by BIP 9 (144-block windows: started at 144, locked
 * in at 288, active from 432); before that its mempool refuses witness spends. 500 blocks also
 * mature the first 400 coinbases.
 */
export const SPENDABLE_HEIGHT = 500;
/** `generate` asks for at most this many blocks at once (each call is one RPC round trip). */
const GENERATE_CHUNK = 100;

/** @scure/btc-signer's description of regtest: Core's prefixes. */
export const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef } as const;

// Results of the btcd RPCs the tests use (only the fields they read).

export interface BtcdVout {
  readonly value: number;
  readonly n: number;
  readonly scriptPubKey: { readonly hex: string; readonly type: string; readonly address?: string; readonly addresses?: readonly string[] };
}

/** `getrawtransaction TXID 1`. */
export interface BtcdTx {
  readonly hex: string;
  readonly txid: string;
  readonly hash: string;
  readonly size: number;
  readonly vsize: number;
  readonly weight: number;
  readonly version: number;
  readonly locktime: number;
  readonly vin: ReadonlyArray<{
    readonly txid?: string;
    readonly vout?: number;
    readonly coinbase?: string;
    readonly scriptSig?: { readonly hex: string };
    readonly txinwitness?: readonly string[];
    readonly sequence: number;
  }>;
  readonly vout: readonly BtcdVout[];
}

/** `getblock HASH 1`. */
export interface BtcdBlock {
  readonly hash: string;
  readonly height: number;
  readonly version: number;
  readonly time: number;
  readonly nonce: number;
  /** Hex, as Core shows it. */
  readonly bits: string;
  readonly size: number;
  readonly strippedsize: number;
  readonly weight: number;
  readonly previousblockhash?: string;
  readonly merkleroot: string;
  readonly tx: readonly string[];
}

/** `getblockchaininfo`. */
export interface BtcdChainInfo {
  readonly blocks: number;
  readonly bestblockhash: string;
  readonly bip9_softforks: Readonly<Record<string, { readonly status: string }>>;
}

export interface BtcdPeerInfo {
  readonly id: number;
  readonly addr: string;
  readonly inbound: boolean;
  readonly subver: string;
  readonly version: number;
  readonly relaytxes: boolean;
  /** BIP 324: the connection runs on the v2 transport (btcd 0.25; there is no session id). */
  readonly v2_connection: boolean;
}

export interface BtcdNode {
  readonly p2pPort: number;
  readonly rpcPort: number;
  /** host:port as a crawler dials it. */
  readonly p2p: string;
  readonly rpc: Rpc;
  readonly wallet: BtcdWallet;
  /** Mines n blocks to the wallet's address (in chunks); returns their hashes. */
  generate(n: number): Promise<string[]>;
  height(): Promise<number>;
  /** RPC `stop`, then waits for the process (killed after 30 s); removes its directory. */
  stop(): Promise<void>;
}

export interface BtcdOptions {
  /** Path to btcd. */
  readonly btcd: string;
  /** Added to the standard flags, e.g. ['--v2transport']. */
  readonly args?: readonly string[];
  /** Seed of the wallet's key (any text; regtest coins only). */
  readonly seed?: string;
}

/** A coin the wallet can spend. */
export interface Coin {
  readonly txid: string;
  readonly vout: number;
  readonly amount: bigint;
  readonly kind: 'p2wpkh' | 'p2tr' | 'p2pkh';
  /** The whole funding transaction: legacy inputs sign over it (BIP 143 came later). */
  readonly prevHex: string;
}

/** A signed transaction and what @scure/btc-signer computed for it. */
export interface Signed {
  readonly hex: string;
  readonly txid: string;
  readonly wtxid: string;
  readonly size: number;
  readonly vsize: number;
  readonly weight: number;
  /** Output i of this transaction, as a coin to spend next. */
  coin(i: number): Coin;
}

export interface Output {
  readonly to: Coin['kind'];
  readonly amount: bigint;
}

const reversedHex = (b: Uint8Array): string => hex.encode(Uint8Array.from(b).reverse());
const sha256d = (b: Uint8Array): Uint8Array => sha256(sha256(b));

/** One key, three ways to pay it: P2WPKH (the mining address), P2TR (key path), P2PKH. */
export class BtcdWallet {
  private readonly key: Uint8Array;
  private readonly payments: Record<Coin['kind'], { script: Uint8Array; address?: string; tapInternalKey?: Uint8Array }>;
  /** Coinbase heights already handed out. */
  private nextCoinbaseHeight = 1;

  constructor(
    seed: string,
    private readonly rpc: Rpc,
  ) {
    this.key = sha256(new TextEncoder().encode(seed));
    const pub = secp256k1.getPublicKey(this.key, true);
    this.payments = {
      p2wpkh: btc.p2wpkh(pub, REGTEST),
      p2tr: btc.p2tr(btc.utils.pubSchnorr(this.key), undefined, REGTEST),
      p2pkh: btc.p2pkh(pub, REGTEST),
    };
  }

  address(kind: Coin['kind']): string {
    return this.payments[kind].address!;
  }

  /** The next unspent coinbase (mined to the P2WPKH address), if it is mature. */
  async coinbase(): Promise<Coin> {
    const height = this.nextCoinbaseHeight++;
    const tip = await this.rpc<number>('getblockcount');
    if (tip - height + 1 < MATURITY) throw new Error(`btcd: coinbase at height ${height} is not mature at tip ${tip}`);
    const hash = await this.rpc<string>('getblockhash', [height]);
    const block = await this.rpc<BtcdBlock>('getblock', [hash, 1]);
    const tx = await this.rpc<BtcdTx>('getrawtransaction', [block.tx[0], 1]);
    const script = hex.encode(this.payments.p2wpkh.script);
    const out = tx.vout.find((o) => o.scriptPubKey.hex === script);
    if (!out) throw new Error(`btcd: coinbase ${tx.txid} does not pay ${this.address('p2wpkh')}`);
    return { txid: tx.txid, vout: out.n, amount: BigInt(Math.round(out.value * 1e8)), kind: 'p2wpkh', prevHex: tx.hex };
  }

  /** Spends `coins` to `outputs` (to this wallet's own addresses), signed and finalized. */
  sign(coins: readonly Coin[], outputs: readonly Output[]): Signed {
    const tx = new btc.Transaction();
    for (const c of coins) {
      const pay = this.payments[c.kind];
      const base = { txid: c.txid, index: c.vout };
      if (c.kind === 'p2pkh') tx.addInput({ ...base, nonWitnessUtxo: hex.decode(c.prevHex) });
      else if (c.kind === 'p2tr') tx.addInput({ ...base, witnessUtxo: { script: pay.script, amount: c.amount }, tapInternalKey: pay.tapInternalKey });
      else tx.addInput({ ...base, witnessUtxo: { script: pay.script, amount: c.amount } });
    }
    for (const o of outputs) tx.addOutput({ script: this.payments[o.to].script, amount: o.amount });
    tx.sign(this.key);
    tx.finalize();
    const raw = tx.extract();
    const txid = tx.id;
    const kinds = outputs.map((o) => o.to);
    const rawHex = hex.encode(raw);
    return {
      hex: rawHex,
      txid,
      wtxid: reversedHex(sha256d(raw)),
      size: raw.length,
      vsize: tx.vsize,
      weight: tx.weight,
      coin: (i) => ({ txid, vout: i, amount: outputs[i].amount, kind: kinds[i], prevHex: rawHex }),
    };
  }
}

function btcdArgs(dir: string, p2pPort: number, rpcPort: number, miningAddr: string, extra: readonly string[]): string[] {
  return [
    '--regtest',
    `--datadir=${join(dir, 'data')}`,
    `--logdir=${join(dir, 'logs')}`,
    `--configfile=${join(dir, 'none.conf')}`,
    `--listen=127.0.0.1:${p2pPort}`,
    `--rpclisten=127.0.0.1:${rpcPort}`,
    `--rpcuser=${RPC_USER}`,
    `--rpcpass=${RPC_PASSWORD}`,
    '--notls',
    `--miningaddr=${miningAddr}`,
    '--nodnsseed',
    '--txindex',
    '--utxocachemaxsize=10',
    ...extra,
  ];
}

export async function startBtcd(opts: BtcdOptions): Promise<BtcdNode> {
  const dir = mkdtempSync(join(tmpdir(), 'bitcrawl-btcd-'));
  // An empty config file, so btcd writes no default one.
  writeFileSync(join(dir, 'none.conf'), '');
  let p2pPort = 0;
  let rpcPort = 0;
  let node: NodeProcess | undefined;
  let rpc: Rpc = () => Promise.reject(new Error('btcd: not started'));
  const wallet = new BtcdWallet(opts.seed ?? 'bitcrawl btcd regtest wallet', (m, p) => rpc(m, p));

  async function launch(): Promise<void> {
    rpc = jsonRpc(`http://127.0.0.1:${rpcPort}/`, RPC_USER, RPC_PASSWORD);
    node = await NodeProcess.start(
      'btcd',
      // btcd creates ~/.btcd even with --datadir: give it this directory as its home. It logs to
      // stdout as well as to its log file: both pipes' tail is kept for errors.
      () => spawn(opts.btcd, btcdArgs(dir, p2pPort, rpcPort, wallet.address('p2wpkh'), opts.args ?? []), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dir } }),
      async () => {
        await until('btcd answering getblockcount', START_DEADLINE_MS, () => rpc<number>('getblockcount'));
        await until(`btcd P2P port ${p2pPort} accepting`, START_DEADLINE_MS, () => portOpen(p2pPort));
      },
    );
  }

  await launchOnFreePorts(
    (p2p, rpc) => {
      p2pPort = p2p;
      rpcPort = rpc;
      return launch();
    },
    /address already in use|bind/i,
    () => rmSync(dir, { recursive: true, force: true }),
  );

  return {
    p2pPort,
    rpcPort,
    p2p: `127.0.0.1:${p2pPort}`,
    rpc: (method, params) => rpc(method, params),
    wallet,
    async generate(n) {
      const hashes: string[] = [];
      for (let left = n; left > 0; left -= GENERATE_CHUNK) hashes.push(...(await rpc<string[]>('generate', [Math.min(left, GENERATE_CHUNK)])));
      return hashes;
    },
    height: () => rpc<number>('getblockcount'),
    async stop() {
      const n = node;
      node = undefined;
      await n?.stop(() => rpc('stop'));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Run directly: one node with mature coins until Ctrl-C.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const path = process.env.BTCD;
  if (!path) {
    console.error('set BTCD to the path of btcd');
    process.exit(2);
  }
  const node = await startBtcd({ btcd: path, args: process.argv.slice(2) });
  await node.generate(SPENDABLE_HEIGHT);
  console.log(JSON.stringify({ p2pPort: node.p2pPort, rpcPort: node.rpcPort, rpcuser: RPC_USER, rpcpassword: RPC_PASSWORD }));
  const stop = (): void => void node.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
