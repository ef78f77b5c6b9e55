import { addrCodec } from './codecs/addr.js';
import { addrv2Codec } from './codecs/addrv2.js';
import { blockCodec } from './codecs/block.js';
import type { Codec } from './codecs/codec.js';
import { getaddrCodec, mempoolCodec, sendaddrv2Codec, sendheadersCodec, verackCodec, wtxidrelayCodec } from './codecs/empty.js';
import { feefilterCodec } from './codecs/feefilter.js';
import { headersCodec } from './codecs/headers.js';
import { getdataCodec, invCodec, notfoundCodec } from './codecs/inventory.js';
import { getblocksCodec, getheadersCodec } from './codecs/locator.js';
import { pingCodec, pongCodec } from './codecs/ping.js';
import { sendcmpctCodec } from './codecs/sendcmpct.js';
import { txCodec } from './codecs/tx.js';
import { versionCodec } from './codecs/version.js';
import { DecodeError } from './errors.js';
import { encodeFrame } from './header.js';
import { MAX_PAYLOAD_BYTES } from './limits.js';
import type { Command, Frame, Message } from './messages.js';
import { ByteReader } from './reader.js';
import { ByteWriter } from './writer.js';

/** Every command we have a codec for; everything else is passed through as `unknown`. */
export type KnownCommand = Exclude<Command, 'unknown'>;

/** One codec per command; the mapped type makes a missing or mismatched codec a type error. */
export const CODECS: { readonly [C in KnownCommand]: Codec<C> } = {
  version: versionCodec,
  verack: verackCodec,
  sendaddrv2: sendaddrv2Codec,
  wtxidrelay: wtxidrelayCodec,
  sendheaders: sendheadersCodec,
  getaddr: getaddrCodec,
  mempool: mempoolCodec,
  ping: pingCodec,
  pong: pongCodec,
  inv: invCodec,
  getdata: getdataCodec,
  notfound: notfoundCodec,
  tx: txCodec,
  block: blockCodec,
  headers: headersCodec,
  getheaders: getheadersCodec,
  getblocks: getblocksCodec,
  addr: addrCodec,
  addrv2: addrv2Codec,
  feefilter: feefilterCodec,
  sendcmpct: sendcmpctCodec,
};

// A Map, not an object lookup: a peer's command may be "constructor" or "__proto__".
const BY_COMMAND: ReadonlyMap<string, Codec<KnownCommand>> = new Map(Object.values(CODECS).map((c: Codec<KnownCommand>) => [c.command, c]));

/** The codec's declared maximum payload; MAX_PAYLOAD_BYTES for commands we do not know. */
export function maxPayloadFor(command: string): number {
  return BY_COMMAND.get(command)?.maxPayload ?? MAX_PAYLOAD_BYTES;
}

/**
 * A frame's typed message. Throws only DecodeError. Unknown commands come back as
 * `{ command: 'unknown', name, payload }`.
 *
 * Every message must be consumed exactly; trailing bytes are a DecodeError, except after
 * `version`. Core reads version's optional fields only `if (!vRecv.empty())` and never checks
 * that the stream ended (net_processing.cpp), so fields a later protocol version appends are
 * ignored by old nodes; relay itself was such an addition (BIP 37). Refusing them would cut us
 * off from peers that Core talks to happily. Core is no stricter for other messages either (it
 * does not check for trailing bytes at all), but for fixed layouts bytes after the end mean the
 * encoder and decoder disagree, and we would rather see that than read half a message.
 */
export function decodeMessage(frame: Frame): Message {
  const codec = BY_COMMAND.get(frame.command);
  if (codec === undefined) return { command: 'unknown', name: frame.command, payload: frame.payload };
  if (frame.payload.length > codec.maxPayload) {
    throw new DecodeError(`${frame.command} payload of ${frame.payload.length} bytes exceeds its maximum of ${codec.maxPayload}`);
  }
  const r = new ByteReader(frame.payload);
  const message = codec.decode(r);
  if (codec.command !== 'version') r.finish(frame.command);
  return message;
}

/** A message's payload bytes. Throws RangeError for a message its own decoder would refuse. */
export function encodePayload(m: Message): Uint8Array {
  if (m.command === 'unknown') return m.payload;
  const codec: Codec<KnownCommand> = CODECS[m.command];
  const w = new ByteWriter(codec.maxPayload === 0 ? 16 : 256);
  codec.encode(m, w);
  return w.finish();
}

/** A whole frame (header + payload) for `m` on the network with this magic. */
export function encodeMessage(magic: number, m: Message): Uint8Array {
  return encodeFrame(magic, m.command === 'unknown' ? m.name : m.command, encodePayload(m));
}
