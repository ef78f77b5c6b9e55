/**
 * Scripted Bitcoin peers on real loopback sockets. Each accepted connection is handed to a
 * script (an async function) that reads typed messages and answers as a given node would.
 * Waiting is always on events (a message, a close), never on sleeps.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ResponderTransport, type ScriptedTransport } from './peer-transport.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { InvType, type Command, type InvItem, type Message, type MessageOf, type VersionMessage } from '../../lib/wire/messages.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { toHex } from '../../lib/wire/hex.js';

export const REGTEST = NETWORKS.regtest;

export class Closed extends Error {}

export class ScriptedConnection {
  readonly received: Message[] = [];
  /** Core's rule, on by default: wtxidrelay or sendaddrv2 after verack → disconnect. */
  enforceCoreOrder = true;
  private verackSeen = false;
  private readonly queue: Message[] = [];
  private waiter: ((m: Message | Closed) => void) | undefined;
  private ended = false;
  readonly closed: Promise<void>;

  /** The transport this connection runs on, once the crawler's first bytes told. */
  readonly transport: ResponderTransport;

  /** `magic`: the network's message start (regtest unless given); `accept`: the transports spoken. */
  constructor(
    readonly socket: Socket,
    magic: number = REGTEST.magic,
    accept: ScriptedTransport = 'both',
  ) {
    // Bitcoin Core sets TCP_NODELAY on every peer socket (net.cpp); so do we, as Core would.
    socket.setNoDelay(true);
    this.transport = new ResponderTransport(magic, accept, (bytes) => this.sendRaw(bytes));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      let messages: Message[];
      try {
        messages = this.transport.receive(chunk);
      } catch {
        // Bad magic, a v2 handshake gone wrong, an undecodable message: Core disconnects (or, for a
        // single bad message, would skip it; our scripts are strict).
        socket.destroy();
        return;
      }
      for (const msg of messages) {
        this.received.push(msg);
        if (this.enforceCoreOrder && this.verackSeen && (msg.command === 'wtxidrelay' || msg.command === 'sendaddrv2')) {
          socket.destroy();
          return;
        }
        if (msg.command === 'verack') this.verackSeen = true;
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = undefined;
          w(msg);
        } else this.queue.push(msg);
      }
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.(new Closed('closed'));
      this.waiter = undefined;
    });
    socket.on('error', () => {});
  }

  /** The next message (of a command, skipping others when one is named). */
  async next<C extends Command>(command?: C): Promise<MessageOf<C>> {
    for (;;) {
      const m = this.queue.shift() ?? (this.ended ? new Closed('closed') : await new Promise<Message | Closed>((r) => (this.waiter = r)));
      if (m instanceof Closed) throw m;
      if (!command || m.command === command) return m as MessageOf<C>;
    }
  }

  send(msg: Message): void {
    if (!this.socket.destroyed) this.socket.write(this.transport.encode(msg));
  }

  sendRaw(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  close(): void {
    this.socket.end();
  }

  /** Connection reset rather than an orderly close. */
  reset(): void {
    this.socket.resetAndDestroy();
  }
}

export interface ScriptedPeer {
  readonly port: number;
  readonly address: string;
  /** Resolves with each accepted connection, in order. */
  connection(n?: number): Promise<ScriptedConnection>;
  close(): Promise<void>;
}

/** A peer listening on 127.0.0.1 that runs `script` on every connection; regtest's magic unless another is given. */
export async function scriptedPeer(
  script: (c: ScriptedConnection) => Promise<void>,
  host = '127.0.0.1',
  magic: number = REGTEST.magic,
  accept: ScriptedTransport = 'both',
  /** 0: a free one. Several loopback hosts may share a port, as nodes share their network's default port. */
  listenPort = 0,
): Promise<ScriptedPeer> {
  const conns: ScriptedConnection[] = [];
  const waiting: Array<{ n: number; resolve: (c: ScriptedConnection) => void }> = [];
  const server: Server = createServer((socket) => {
    const c = new ScriptedConnection(socket, magic, accept);
    conns.push(c);
    for (const w of waiting.filter((x) => x.n < conns.length)) w.resolve(conns[w.n]);
    script(c).catch(() => c.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(listenPort, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    address: `${host}:${port}`,
    connection: (n = 0) => (n < conns.length ? Promise.resolve(conns[n]) : new Promise((resolve) => waiting.push({ n, resolve }))),
    close: async () => {
      for (const c of conns) c.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function versionOf(version: number, userAgent = '/Satoshi:27.0.0/'): VersionMessage {
  return {
    command: 'version',
    version,
    services: 0x409n, // NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    addrRecv: { services: 0n, ip: new Uint8Array(16), port: 0 },
    addrFrom: { services: 0x409n, ip: new Uint8Array(16), port: 0 },
    nonce: 0x1234_5678_9abc_def0n,
    userAgent,
    startHeight: 850_000,
    relay: true,
  };
}

/**
 * The inbound side of Bitcoin Core's handshake (net_processing.cpp): waits for our version,
 * answers version, wtxidrelay and sendaddrv2 (70016+), verack; then, as Core does, sends
 * sendcmpct, a ping and feefilter. Like Core, it disconnects a peer that sends wtxidrelay or
 * sendaddrv2 after its verack. Returns the commands it received during the handshake.
 */
export async function coreHandshake(c: ScriptedConnection, version = 70016): Promise<string[]> {
  const theirs = await c.next('version');
  c.send(versionOf(version));
  if (version >= 70016 && theirs.version >= 70016) {
    c.send({ command: 'wtxidrelay' });
    c.send({ command: 'sendaddrv2' });
  }
  c.send({ command: 'verack' });
  const got: string[] = ['version'];
  for (;;) {
    const m = await c.next();
    got.push(m.command);
    if (m.command === 'verack') break;
  }
  c.send({ command: 'sendcmpct', announce: false, version: 2n });
  c.send({ command: 'ping', nonce: 77n });
  c.send({ command: 'feefilter', feerate: 1000n });
  return got;
}

export interface ServeOptions {
  /** Protocol version the peer claims (70016: announces by wtxid when we negotiated it). */
  readonly version?: number;
  /** Answer getdata for these with notfound instead. */
  readonly notFound?: (tx: DecodedTx) => boolean;
  /** Never answer getdata at all (to test the request timeout). */
  readonly silent?: boolean;
  /** Wait for this before announcing. */
  readonly announceAfter?: Promise<unknown>;
  /** Called once the crawler has surely handled our inv (a ping sent after it came back). */
  readonly onAnnounced?: () => void;
  /** Called with the first getdata, and waited for before answering it. */
  readonly onAsked?: () => Promise<unknown>;
  /** Announce every transaction at once (in invs of INV_BATCH), not a batch per getdata. */
  readonly announceAll?: boolean;
  /**
   * Ping every this many ms, as Core does every 2 minutes, and disconnect when a pong has not come
   * within `pongTimeoutMs` (Core: TIMEOUT_INTERVAL). `pongs` counts the answers.
   */
  readonly pingEveryMs?: number;
  readonly pongTimeoutMs?: number;
  /** Called with each answer to those pings. */
  readonly onPong?: () => void;
}

/** INVENTORY_BROADCAST_MAX (net_processing.cpp): Core announces at most 1,000 items per inv. */
export const INV_BATCH = 1_000;

/**
 * A peer that does Core's handshake, announces `txs` (MSG_WTX by wtxid when wtxid relay was
 * negotiated, MSG_TX by txid otherwise, as Core does) in invs of at most 1,000, the next once the
 * previous has been asked for, and serves each getdata. `getdata` records every item asked of it.
 */
export function servingPeer(
  txs: readonly DecodedTx[],
  opts: ServeOptions = {},
): { script: (c: ScriptedConnection) => Promise<void>; getdata: InvItem[]; pongs: number[] } {
  const getdata: InvItem[] = [];
  const pongs: number[] = [];
  const script = async (c: ScriptedConnection): Promise<void> => {
    const got = await coreHandshake(c, opts.version ?? 70016);
    const byWtxid = got.includes('wtxidrelay') && (opts.version ?? 70016) >= 70016;
    const byKey = new Map<string, DecodedTx>();
    for (const t of txs) byKey.set(toHex(byWtxid ? t.wtxid : t.txid), t);
    let announced = 0;
    const announceNext = (): void => {
      const batch = txs.slice(announced, announced + INV_BATCH);
      announced += batch.length;
      c.send({ command: 'inv', items: batch.map((t) => ({ type: byWtxid ? InvType.WTX : InvType.TX, hash: byWtxid ? t.wtxid : t.txid })) });
    };
    const MARK = 0xfeedn;
    // Announce when allowed, answering pings meanwhile as a node would.
    void Promise.resolve(opts.announceAfter).then(() => {
      announceNext();
      while (opts.announceAll && announced < txs.length) announceNext();
      if (opts.onAnnounced) c.send({ command: 'ping', nonce: MARK });
    });
    let pingTimer: NodeJS.Timeout | undefined;
    let pongDeadline: NodeJS.Timeout | undefined;
    if (opts.pingEveryMs !== undefined) {
      let nonce = 1n;
      pingTimer = setInterval(() => {
        if (pongDeadline) return; // one ping outstanding at a time, as Core
        const sentAt = Date.now();
        c.send({ command: 'ping', nonce: ++nonce });
        pongDeadline = setTimeout(() => c.socket.destroy(), opts.pongTimeoutMs ?? 20 * 60_000);
        pongDeadline.unref();
        const expected = nonce;
        pongWaiters.set(expected, () => {
          pongs.push(Date.now() - sentAt);
          opts.onPong?.();
        });
      }, opts.pingEveryMs);
      pingTimer.unref();
      void c.closed.then(() => {
        clearInterval(pingTimer);
        clearTimeout(pongDeadline);
      });
    }
    const pongWaiters = new Map<bigint, () => void>();
    for (;;) {
      const m = await c.next();
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'pong' && m.nonce === MARK) opts.onAnnounced?.();
      if (m.command === 'pong' && pongWaiters.has(m.nonce)) {
        pongWaiters.get(m.nonce)?.();
        pongWaiters.delete(m.nonce);
        clearTimeout(pongDeadline);
        pongDeadline = undefined;
      }
      if (m.command !== 'getdata') continue;
      const first = getdata.length === 0;
      getdata.push(...m.items);
      if (opts.silent) continue;
      if (first) await opts.onAsked?.();
      const missing: InvItem[] = [];
      c.socket.cork(); // one write for the whole answer, as a node's send buffer would do
      for (const item of m.items) {
        // As strict as Core: served only by the id kind announced (MSG_WTX by wtxid to a
        // wtxid-relay peer, MSG_TX/MSG_WITNESS_TX by txid otherwise); a 70015 peer has no MSG_WTX.
        const kindOk = byWtxid ? item.type === InvType.WTX : item.type === InvType.TX || item.type === InvType.WITNESS_TX;
        const t = kindOk ? byKey.get(toHex(item.hash)) : undefined;
        if (!t || opts.notFound?.(t)) missing.push(item);
        else c.send({ command: 'tx', tx: t });
      }
      if (missing.length > 0) c.send({ command: 'notfound', items: missing });
      if (getdata.length >= announced && announced < txs.length) announceNext();
      c.socket.uncork();
    }
  };
  return { script, getdata, pongs };
}
