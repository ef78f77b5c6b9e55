import type { Logger } from '../log/logger.js';
import { asPeerError } from '../peer/errors.js';
import type { PeerInfo, PeerLink } from '../peer/session.js';
import type { Command, Message, MessageOf } from '../wire/messages.js';
import type { DropReason } from '../peer/errors.js';
import type { PeerId } from './inventory.js';
import type { TaggedEvent } from '../pool/keep-peer.js';

/** A room's handler for one command: the peer, its message, and when its bytes were read. */
export type Handler<C extends Command> = (peer: PeerId, msg: MessageOf<C>, now: number) => void;

/** Why a session ended, as its peer-down line says. */
export interface SessionEnd {
  readonly reason: DropReason;
  readonly message: string;
}

/**
 * The router: every peer's events, merged, routed by command to the rooms that asked for them.
 * A room (the fetcher, the header sync, the address book, the propagation watch, …) registers the
 * commands it handles; the crawl composes rooms without a central switch, and a new concern plugs
 * in beside the others (ARCHITECTURE.md "where a change goes"). Handlers of one command run in
 * the order they were registered. Commands no room asked for are ignored, as a crawler may
 * (feefilter, getheaders, getaddr, pong: liveness has seen it, unknown commands).
 *
 * The router also holds each live peer's link: the one way rooms send to a peer, and end it.
 */
export class Router {
  private readonly handlers = new Map<Command, Handler<Command>[]>();
  private readonly ups: ((peer: PeerId, info: PeerInfo, now: number) => void)[] = [];
  private readonly downs: ((peer: PeerId, now: number, why: SessionEnd) => void)[] = [];
  private readonly rtts: ((peer: PeerId, ms: number) => void)[] = [];
  private readonly links = new Map<PeerId, PeerLink>();

  constructor(private readonly log: Logger) {}

  /** Live peers. */
  get size(): number {
    return this.links.size;
  }

  on<C extends Command>(command: C, handler: Handler<C>): this {
    const list = this.handlers.get(command) ?? [];
    list.push(handler as Handler<Command>);
    this.handlers.set(command, list);
    return this;
  }

  /** A peer finished its handshake (its link is registered before these run). */
  onUp(handler: (peer: PeerId, info: PeerInfo, now: number) => void): this {
    this.ups.push(handler);
    return this;
  }

  /** A peer's session ended (its link is gone before these run). */
  onDown(handler: (peer: PeerId, now: number, why: SessionEnd) => void): this {
    this.downs.push(handler);
    return this;
  }

  /** A round trip measured by liveness (ping to pong). */
  onRtt(handler: (peer: PeerId, ms: number) => void): this {
    this.rtts.push(handler);
    return this;
  }

  /** Sends to a live peer; a failure to encode or write is that peer's error, never the crawl's. */
  send(peer: PeerId, msg: Message): void {
    try {
      this.links.get(peer)?.send(msg);
    } catch (err) {
      this.fail(peer, err);
    }
  }

  /** Ends one peer for a bug of ours or a misdeed of its own; the rest go on. */
  fail(peer: PeerId, err: unknown): void {
    const e = asPeerError(err);
    if (e.reason === 'internal') this.log.error('internal error, dropping the peer', { peer, error: e.message });
    this.links.get(peer)?.fail(e);
  }

  /** Routes one event; `now` is when its bytes were read. A throw in a room is its peer's error. */
  route(t: TaggedEvent, now: number): void {
    const { peer, ev } = t;
    try {
      switch (ev.type) {
        case 'ready':
          this.links.set(peer, ev.link);
          for (const h of this.ups) h(peer, ev.info, now);
          return;
        case 'down':
          // A session that is not the registered one (never two, see Discovery) must not end that one's.
          if (this.links.has(peer) && this.links.get(peer) !== ev.link) return this.log.debug('a second session ended', { peer });
          this.links.delete(peer);
          for (const h of this.downs) h(peer, now, ev);
          return;
        case 'rtt':
          for (const h of this.rtts) h(peer, ev.ms);
          return;
        case 'message': {
          // Per message: one look-up, no allocation for a command no room handles.
          const list = this.handlers.get(ev.msg.command);
          if (list !== undefined) for (const h of list) h(peer, ev.msg, now);
        }
      }
    } catch (err) {
      this.fail(peer, err);
    }
  }
}
