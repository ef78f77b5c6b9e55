import { asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import type { FrameSink, Transport } from '../transport/transport.js';
import type { Frame, Message, VersionMessage } from '../wire/messages.js';
import { asPeerError, PeerError } from './errors.js';
import { MessageDecoder, type OnBadMessage } from './framing.js';
import { Handshake } from './handshake.js';
import { atOnce, randomNonce, type Later, type PeerLink, type SessionEvent } from './session.js';

/** Where a connection's events go: the one observable at its edge (connect.ts), or a test. */
export interface EventSink {
  next(ev: SessionEvent): void;
  error(err: PeerError): void;
}

export interface ConnectionOptions {
  readonly transport: Transport;
  /** Our `version`, sent by start(). */
  readonly ours: VersionMessage;
  readonly handshakeTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly scheduler?: SchedulerLike;
  /** How long past a deadline to wait for what is already received: afterPendingReads on sockets (issue 19). */
  readonly later?: Later;
  readonly nextNonce?: () => bigint;
  /** When the bytes of the message being handled were read (see SessionEvent); none: no `at`. */
  readonly readTime?: () => number;
  readonly onBad?: OnBadMessage;
  /** Each frame received, before it is decoded (traffic metrics). */
  readonly onFrame?: (frame: Frame) => void;
  /** Each message sent, with the bytes it took on the wire (traffic metrics, debug log). */
  readonly onSend?: (msg: Message, bytes: number) => void;
  /** Why the connection ended, as the PeerError its stream ends with (connect.ts: wrong network, v2 fallback). */
  readonly describe?: (err: unknown, ready: boolean) => PeerError;
  /** Closes the socket (after the end, or on `close()`). */
  readonly close?: () => void;
  /** Runs work the transport resumes outside a received chunk (FrameSink.resume) as a chunk is handled: its writes together (connect.ts). */
  readonly resume?: (work: () => void) => void;
}

/**
 * One peer's protocol over its transport, as one object: the received chunks → frames
 * (Transport) → messages (MessageDecoder) → the version handshake (Handshake, with its deadline)
 * → every message to the sink, a `pong` for every `ping`, and liveness. No I/O of its own (it
 * writes through the transport and closes through `close`) and time from `scheduler`: a socket
 * feeds it in connect.ts, a test feeds it messages in virtual time.
 *
 * This is the per-peer path's one fused stage (ARCHITECTURE.md, "When an operator is fused by
 * hand"): as RxJS it was `socket.pipe(receiveMessages, handshake, answerPings, liveness, tap,
 * catchError)`, about 12 subscribers and 100 closures a peer (24 kB a peer at 2,000 idle peers,
 * BENCHMARKS.md). Here a peer is this object, its transport and two timers; every error of the
 * path ends the peer through `fail`, once.
 */
export class Connection implements PeerLink, FrameSink {
  private readonly decoder: MessageDecoder;
  private readonly scheduler: SchedulerLike;
  private readonly later: Later;
  /** The handshake's state machine and deadline, let go at `ready`. */
  private handshake: Handshake | undefined;
  private handshakeDue: Subscription | undefined;
  /** Liveness: the interval of pings, and the timeout of the one outstanding (as in Core). */
  private pings: Subscription | undefined;
  private pongDue: Subscription | undefined;
  private pingNonce = 0n;
  private pingSentAt = 0;
  private ended = false;

  constructor(
    private readonly o: ConnectionOptions,
    private readonly sink: EventSink,
  ) {
    this.scheduler = o.scheduler ?? asyncScheduler;
    this.later = o.later ?? atOnce;
    // A method of `o` (connect.ts), called on it.
    this.decoder = new MessageDecoder((command, err) => o.onBad?.(command, err), this.scheduler);
    this.handshake = new Handshake(o.ours, o.transport.kind);
  }

  /** The transport's first bytes, our `version`, and the handshake's deadline (Core's DEFAULT_PEER_CONNECT_TIMEOUT, net.h). */
  start(): void {
    this.handshakeDue = this.scheduler.schedule(handshakeDeadline, this.o.handshakeTimeoutMs, this);
    this.guard(() => {
      this.o.transport.start();
      this.send(this.o.ours);
    });
  }

  /** A chunk of received bytes (valid during the call only: sockets share one read buffer). */
  receive(chunk: Uint8Array): void {
    this.guard(() => this.o.transport.receive(chunk, this));
  }

  /** FrameSink: a frame the transport completed. */
  frame(frame: Frame): void {
    this.o.onFrame?.(frame);
    const msg = this.decoder.decode(frame);
    if (msg !== undefined) this.message(msg);
  }

  /** FrameSink: an authentic v2 packet naming no message type (see MessageDecoder.dropped). */
  dropped(reason: string): void {
    this.decoder.dropped(reason);
  }

  /** FrameSink: the transport's work outside receive(), handled as receive() is. */
  resume(work: () => void): void {
    if (this.ended) return;
    const guarded = (): void => this.guard(work);
    if (this.o.resume) this.o.resume(guarded);
    else guarded();
  }

  /** A decoded message: through the handshake until `ready`, then to the sink. */
  message(msg: Message): void {
    if (this.ended) return;
    const hs = this.handshake;
    if (hs !== undefined) {
      this.guard(() => {
        const step = hs.receive(msg);
        for (const m of step.send) this.send(m);
        if (!step.ready) return;
        this.handshake = undefined;
        this.handshakeDue?.unsubscribe();
        this.handshakeDue = undefined;
        const at = this.o.readTime?.();
        this.sink.next(at === undefined ? { type: 'ready', info: step.ready, link: this } : { type: 'ready', info: step.ready, link: this, at });
        // The first ping at once, as Core sends its first (ARCHITECTURE.md, "Protocol facts"): in
        // the same write as our verack when their verack came with their version.
        if (!this.ended) this.startLiveness();
      });
      return;
    }
    if (msg.command === 'ping') this.guard(() => this.send({ command: 'pong', nonce: msg.nonce }));
    const at = this.o.readTime?.();
    this.sink.next(at === undefined ? { type: 'message', msg } : { type: 'message', msg, at });
    if (msg.command === 'pong' && this.pongDue !== undefined && msg.nonce === this.pingNonce) {
      this.pongDue.unsubscribe();
      this.pongDue = undefined;
      this.sink.next({ type: 'rtt', ms: this.scheduler.now() - this.pingSentAt });
    }
  }

  send(msg: Message): void {
    if (this.ended) return;
    const bytes = this.o.transport.send(msg);
    this.o.onSend?.(msg, bytes);
  }

  /** Ends this peer's stream with `err` and closes its socket; the first end is the one told. */
  fail(err: unknown): void {
    if (this.ended) return;
    const ready = this.handshake === undefined;
    this.stop();
    this.sink.error(this.o.describe ? this.o.describe(err, ready) : asPeerError(err));
    this.o.close?.();
  }

  close(): void {
    this.o.close?.();
  }

  /** Cancels the timers (the stream was unsubscribed, or ended). */
  stop(): void {
    this.ended = true;
    this.handshakeDue?.unsubscribe();
    this.pings?.unsubscribe();
    this.pongDue?.unsubscribe();
    this.handshakeDue = this.pings = this.pongDue = undefined;
    this.handshake = undefined;
  }

  /**
   * Liveness, `interval(pingIntervalMs)` with a first tick at once, each tick a ping with a fresh
   * nonce raced against `timeout(pingTimeoutMs)` for the pong with that nonce; a tick while a
   * ping is outstanding is skipped (exhaustMap: one ping at a time, as in Core). The deadline
   * decides only once what was received meanwhile is read (`later`, issue 19).
   */
  private startLiveness(): void {
    this.ping();
    this.pings = this.scheduler.schedule(intervalAction, this.o.pingIntervalMs, this);
  }

  private ping(): void {
    if (this.pongDue !== undefined || this.ended) return;
    this.pingNonce = this.o.nextNonce ? this.o.nextNonce() : randomNonce();
    this.pingSentAt = this.scheduler.now();
    this.pongDue = this.scheduler.schedule(pongDeadline, this.o.pingTimeoutMs, this);
    this.guard(() => this.send({ command: 'ping', nonce: this.pingNonce }));
  }

  /** Anything the transport, the decoder, the state machine or a send throws ends this peer only. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(err);
    }
  }

  /** The handshake's deadline passed: once what was received meanwhile is read, still no `ready` ends the peer. */
  handshakeExpired(): void {
    this.later(() => {
      if (this.handshake === undefined) return;
      this.fail(new PeerError('handshake-timeout', `no ${this.handshake.awaiting} within ${this.o.handshakeTimeoutMs / 1000} s`));
    });
  }

  /** The outstanding ping's deadline passed: likewise, unless its pong was among what was pending. */
  pongExpired(): void {
    const due = this.pongDue;
    this.later(() => {
      if (due !== undefined && this.pongDue === due) this.fail(new PeerError('ping-timeout', `no pong within ${this.o.pingTimeoutMs / 1000} s`));
    });
  }

  /** `interval`'s tick. */
  tick(): void {
    this.ping();
  }

  get pingIntervalMs(): number {
    return this.o.pingIntervalMs;
  }
}

/** `interval`'s action, shared by every connection: rescheduled with the same delay, RxJS keeps its one setInterval. */
function intervalAction(this: SchedulerAction<Connection>, c?: Connection): void {
  if (c === undefined) return;
  c.tick();
  this.schedule(c, c.pingIntervalMs);
}

/** The deadlines' actions (`timeout`), shared by every connection. */
function handshakeDeadline(c?: Connection): void {
  c?.handshakeExpired();
}
function pongDeadline(c?: Connection): void {
  c?.pongExpired();
}
