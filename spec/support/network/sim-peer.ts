/**
 * One simulated peer as Bitcoin Core 27+ is one: v1 and BIP 324 v2 told apart by the first bytes
 * (ResponderTransport 'both'), Core's inbound handshake (version, wtxidrelay, sendaddrv2, verack;
 * then sendcmpct, ping, feefilter), pings answered. It announces the global stream by wtxid
 * (MSG_WTX; by txid to a peer that did not send wtxidrelay) after its own delay, on its own
 * trickle (one inv every trickle period, batching whatever became due since the last), and serves
 * every getdata at once, strictly: only what it has announced, by the id kind announced;
 * notfound otherwise.
 */
import type { Socket } from 'node:net';
import { toHex } from '../../../lib/wire/hex.js';
import { InvType, type InvItem, type Message } from '../../../lib/wire/messages.js';
import { ResponderTransport } from '../peer-transport.js';
import { INV_BATCH, REGTEST, versionOf } from '../scripted-peer.js';
import { epochMs, type Stream } from './stream.js';

/** What every peer of one simulator process records, per transaction index. */
export interface Tally {
  readonly firstInv: Float64Array;
  readonly asked: Uint32Array;
  readonly askedAt: Float64Array;
  notfoundItems: number;
  protocolErrors: number;
  invsSent: number;
  invItemsSent: number;
}

export function newTally(n: number): Tally {
  return {
    firstInv: new Float64Array(n).fill(NaN),
    asked: new Uint32Array(n),
    askedAt: new Float64Array(n).fill(NaN),
    notfoundItems: 0,
    protocolErrors: 0,
    invsSent: 0,
    invItemsSent: 0,
  };
}

/** The stream as this process sees it: started at `start` (epoch ms, once known), R a second. */
export interface Clock {
  start: number | undefined;
  readonly rate: number;
  /** Announcing stops (the window closed). */
  stopped: boolean;
}

const ALL_ANNOUNCED = 0xa11n;
/**
 * DEFAULT_MAXSENDBUFFER (net.h, 1,000 kB): past it Core stops sending to a peer that does not read
 * (fPauseSend); what it had to announce waits in its to-announce set and goes out in one larger
 * inv when the peer catches up. Without this, a slow crawler would find its transactions queued
 * behind an unbounded backlog of invs, which no Core node would send.
 */
const MAX_SEND_BUFFER = 1_000_000;

export class SimPeer {
  private readonly transport: ResponderTransport;
  private verack = false;
  private wtxidRelay = false;
  /** Announced: stream indices [start, next). */
  private first = 0;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly stream: Stream,
    private readonly clock: Clock,
    private readonly tally: Tally,
    private readonly delayMs: number,
    private readonly trickleMs: number,
    private readonly onVerack: () => void,
    /** Told once the crawler has answered a ping sent after this peer's last announcement. */
    private readonly onAllAnnounced: () => void = () => {},
    /** Its v2 key, if made beforehand (the simulator's). */
    key: () => { readonly privkey: Uint8Array; readonly ellswift: Uint8Array } | undefined = () => undefined,
  ) {
    this.transport = new ResponderTransport(REGTEST.magic, 'both', (bytes) => this.write(bytes), key);
  }

  get ready(): boolean {
    return this.verack;
  }

  receive(chunk: Uint8Array): void {
    let messages: Message[];
    try {
      messages = this.transport.receive(chunk);
    } catch {
      this.tally.protocolErrors++;
      this.socket.destroy();
      return;
    }
    for (const m of messages) this.handle(m);
  }

  /** Starts the trickle: a random phase, then every trickle period. */
  startTrickle(): void {
    if (this.timer !== undefined || this.clock.start === undefined) return;
    this.timer = setTimeout(() => {
      this.announce();
      this.timer = setInterval(() => this.announce(), this.trickleMs);
    }, Math.random() * this.trickleMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  private send(msg: Message): void {
    this.write(this.transport.encode(msg));
  }

  /** How many of the stream's transactions exist at `at`. */
  private due(at: number): number {
    const start = this.clock.start;
    if (start === undefined || at < start) return 0;
    return Math.min(this.stream.txs.length, Math.floor(((at - start) / 1000) * this.clock.rate) + 1);
  }

  private announce(): void {
    if (this.clock.stopped || this.socket.destroyed || this.clock.start === undefined) return;
    if (this.socket.writableLength > MAX_SEND_BUFFER) return;
    const upTo = this.due(epochMs() - this.delayMs);
    if (upTo <= this.next) return;
    const items: InvItem[] = [];
    for (let i = this.next; i < upTo; i++) {
      const t = this.stream.txs[i];
      items.push(this.wtxidRelay ? { type: InvType.WTX, hash: t.wtxid } : { type: InvType.TX, hash: t.txid });
    }
    const from = this.next;
    this.next = upTo;
    this.socket.cork();
    for (let i = 0; i < items.length; i += INV_BATCH) {
      this.send({ command: 'inv', items: items.slice(i, i + INV_BATCH) });
      this.tally.invsSent++;
    }
    // The whole stream announced: a ping after it, answered only once the crawler has read every inv.
    if (upTo === this.stream.txs.length) this.send({ command: 'ping', nonce: ALL_ANNOUNCED });
    this.socket.uncork();
    this.tally.invItemsSent += items.length;
    const sent = epochMs();
    const { firstInv } = this.tally;
    for (let i = from; i < upTo; i++) if (!(firstInv[i] <= sent)) firstInv[i] = sent;
  }

  private handle(m: Message): void {
    switch (m.command) {
      case 'version':
        this.send(versionOf(70016));
        if (m.version >= 70016) {
          this.send({ command: 'wtxidrelay' });
          this.send({ command: 'sendaddrv2' });
        }
        this.send({ command: 'verack' });
        return;
      case 'wtxidrelay':
      case 'sendaddrv2':
        // Core disconnects a peer that sends these after its verack.
        if (this.verack) {
          this.tally.protocolErrors++;
          this.socket.destroy();
        } else if (m.command === 'wtxidrelay') this.wtxidRelay = true;
        return;
      case 'verack':
        if (this.verack) return;
        this.verack = true;
        // Announces only what is created from the handshake on, as a fresh Core connection would.
        this.first = this.next = this.due(epochMs());
        this.send({ command: 'sendcmpct', announce: false, version: 2n });
        this.send({ command: 'ping', nonce: 77n });
        this.send({ command: 'feefilter', feerate: 1000n });
        this.startTrickle();
        this.onVerack();
        return;
      case 'ping':
        this.send({ command: 'pong', nonce: m.nonce });
        return;
      case 'pong':
        if (m.nonce === ALL_ANNOUNCED) this.onAllAnnounced();
        return;
      case 'getdata':
        this.serve(m.items);
        return;
      default:
        return;
    }
  }

  private serve(items: readonly InvItem[]): void {
    const missing: InvItem[] = [];
    const { asked, askedAt } = this.tally;
    this.socket.cork();
    for (const item of items) {
      const kindOk = this.wtxidRelay ? item.type === InvType.WTX : item.type === InvType.TX || item.type === InvType.WITNESS_TX;
      const i = kindOk ? (this.wtxidRelay ? this.stream.byWtxid : this.stream.byTxid).get(toHex(item.hash)) : undefined;
      if (i !== undefined && asked[i]++ === 0) askedAt[i] = epochMs();
      if (i === undefined || i < this.first || i >= this.next) missing.push(item);
      else this.send({ command: 'tx', tx: this.stream.txs[i] });
    }
    if (missing.length > 0) {
      this.tally.notfoundItems += missing.length;
      this.send({ command: 'notfound', items: missing });
    }
    this.socket.uncork();
  }
}
