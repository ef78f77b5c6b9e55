/**
 * The responder's side of a connection's transport, for scripted peers: v1 only (bcoin, or Core
 * with -v2transport=0), BIP 324 v2 only, or both as Core 27+ does: it tells them apart by the
 * first 16 bytes (net.cpp V2Transport::ProcessReceivedMaybeV1Bytes: the v1 `version` header's
 * magic and command mean v1, anything else starts a v2 handshake).
 */
import { V2Session, mismatchesV1Prefix, V1_PREFIX_LEN } from '../../lib/transport/v2.js';
import { Framer } from '../../lib/wire/framer.js';
import type { Message } from '../../lib/wire/messages.js';
import { decodeMessage, encodeMessage, encodePayload, maxPayloadFor } from '../../lib/wire/registry.js';

export type ScriptedTransport = 'v1' | 'v2' | 'both';

/** Bytes in → messages out; messages → bytes. Throws on anything bad: the caller disconnects, as Core would. */
export class ResponderTransport {
  private chosen: 'v1' | 'v2' | undefined;
  private framer: Framer | undefined;
  private session: V2Session | undefined;
  private pending = new Uint8Array(0);

  constructor(
    private readonly magic: number,
    accept: ScriptedTransport,
    private readonly write: (bytes: Uint8Array) => void,
    /** Our v2 key made beforehand (bench simulators); a fresh one when it gives none. */
    private readonly key: () => { readonly privkey: Uint8Array; readonly ellswift: Uint8Array } | undefined = () => undefined,
  ) {
    if (accept !== 'both') this.choose(accept);
  }

  /** The transport the peer turned out to speak, once known. */
  get kind(): 'v1' | 'v2' | undefined {
    return this.chosen;
  }

  receive(chunk: Uint8Array): Message[] {
    if (this.chosen === undefined) {
      const seen = Buffer.concat([this.pending, chunk]);
      if (mismatchesV1Prefix(seen, this.magic)) this.choose('v2');
      else if (seen.length >= V1_PREFIX_LEN) this.choose('v1');
      else {
        this.pending = seen;
        return [];
      }
      chunk = seen;
    }
    if (this.framer) return this.framer.push(chunk).map(decodeMessage);
    const out: Message[] = [];
    for (const o of this.session!.receive(chunk)) {
      if (o.kind === 'send') this.write(o.bytes);
      if (o.kind === 'message') out.push(decodeMessage({ command: o.command, payload: o.payload }));
    }
    return out;
  }

  encode(msg: Message): Uint8Array {
    if (this.chosen === 'v2') return this.session!.encrypt(msg.command === 'unknown' ? msg.name : msg.command, encodePayload(msg));
    return encodeMessage(this.magic, msg);
  }

  /** A v2 packet with these raw contents (a header byte and payload of a test's choosing). */
  encodeV2Packet(contents: Uint8Array): Uint8Array {
    if (this.chosen !== 'v2' || this.session === undefined) throw new Error('not a v2 connection');
    return this.session.encryptPacket(contents);
  }

  private choose(kind: 'v1' | 'v2'): void {
    this.chosen = kind;
    if (kind === 'v1') this.framer = new Framer(this.magic, maxPayloadFor);
    else {
      const key = this.key();
      this.session = new V2Session({ initiator: false, magic: this.magic, privkey: key?.privkey, ellswift: key?.ellswift });
      this.write(this.session.start());
    }
  }
}
