import { MIN_PEER_PROTOCOL_VERSION, WTXID_RELAY_VERSION } from '../wire/limits.js';
import type { Message, VersionMessage } from '../wire/messages.js';
import { PeerError } from './errors.js';
import type { TransportKind } from '../transport/transport.js';

/** What a peer told us about itself in the handshake. */
export interface PeerInfo {
  readonly version: number;
  readonly services: bigint;
  readonly userAgent: string;
  readonly startHeight: number;
  readonly relay: boolean;
  /** BIP 339 negotiated: it announces MSG_WTX by wtxid and we ask by wtxid. */
  readonly wtxidRelay: boolean;
  /** BIP 155 negotiated: it may send addrv2. */
  readonly addrv2: boolean;
  /** The transport the connection runs on: v1 plaintext or BIP 324 v2. */
  readonly transport: TransportKind;
}

/** What one received message makes the handshake do: messages to send, and `ready` at its end. */
export interface HandshakeStep {
  readonly send: readonly Message[];
  readonly ready?: PeerInfo;
}

const NOTHING: HandshakeStep = { send: [] };

/**
 * The version handshake as a pure state machine, as Bitcoin Core expects it from an outbound
 * peer (ARCHITECTURE.md, "Protocol facts"): our `version` goes first (the caller sends it); on theirs we send
 * `wtxidrelay` and `sendaddrv2` (both only to peers at 70016+, and only before our `verack`), then
 * `verack`; the handshake is done on their `verack`. Until then everything else is ignored, as
 * Core ignores it (net_processing.cpp ProcessMessage: "non-version message before version
 * handshake"). Throws PeerError for a peer Core would disconnect.
 */
export class Handshake {
  private theirs: VersionMessage | undefined;
  private wtxidRelay = false;
  private addrv2 = false;
  private ready = false;

  constructor(
    private readonly ours: VersionMessage,
    private readonly transport: TransportKind = 'v1',
  ) {}

  get done(): boolean {
    return this.ready;
  }

  /** What we wait for next, for the timeout's message. */
  get awaiting(): 'version' | 'verack' {
    return this.theirs ? 'verack' : 'version';
  }

  receive(msg: Message): HandshakeStep {
    if (this.ready) return NOTHING;
    const theirs = this.theirs;
    switch (msg.command) {
      case 'version':
        // Core: a redundant version is ignored ("redundant version message").
        return theirs ? NOTHING : this.onVersion(msg);
      case 'wtxidrelay':
        // Core: honoured only when both sides speak 70016+.
        if (theirs && theirs.version >= WTXID_RELAY_VERSION) this.wtxidRelay = true;
        return NOTHING;
      case 'sendaddrv2':
        if (theirs) this.addrv2 = true;
        return NOTHING;
      case 'verack':
        // Core ignores anything, verack included, before the peer's version.
        if (!theirs) return NOTHING;
        this.ready = true;
        return {
          send: [],
          ready: {
            version: theirs.version,
            services: theirs.services,
            userAgent: theirs.userAgent,
            startHeight: theirs.startHeight,
            relay: theirs.relay,
            wtxidRelay: this.wtxidRelay,
            addrv2: this.addrv2,
            transport: this.transport,
          },
        };
      default:
        // Core: between version and verack only the negotiation messages count.
        return NOTHING;
    }
  }

  private onVersion(v: VersionMessage): HandshakeStep {
    if (v.version < MIN_PEER_PROTOCOL_VERSION) {
      throw new PeerError('obsolete-version', `protocol version ${v.version} < ${MIN_PEER_PROTOCOL_VERSION}`);
    }
    if (v.nonce === this.ours.nonce) throw new PeerError('self-connection', 'connected to ourselves (same version nonce)');
    this.theirs = v;
    const send: Message[] = [];
    if (v.version >= WTXID_RELAY_VERSION) send.push({ command: 'wtxidrelay' }, { command: 'sendaddrv2' });
    send.push({ command: 'verack' });
    return { send };
  }
}
