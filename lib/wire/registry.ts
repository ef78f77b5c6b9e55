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
import { blocktxnCodec, cmpctblockCodec, getblocktxnCodec } from './codecs/compact.js';
import { txCodec } from './codecs/tx.js';
import { versionCodec } from './codecs/version.js';
import { checksum } from './hash.js';
import { ChecksumError, DecodeError } from './errors.js';
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
  cmpctblock: cmpctblockCodec,
  getblocktxn: getblocktxnCodec,
  blocktxn: blocktxnCodec,
};

// A Map, not an object lookup: a peer's command may be "constructor" or "__proto__".
const BY_COMMAND: ReadonlyMap<string, Codec<KnownCommand>> = new Map(Object.values(CODECS).map((c: Codec<KnownCommand>) => [c.command, c]));

/** The codec's declared maximum payload; MAX_PAYLOAD_BYTES for commands we do not know. */
export function maxPayloadFor(command: string): number {
  return BY_COMMAND.get(command)?.maxPayload ?? MAX_PAYLOAD_BYTES;
}

/**
 * A `tx` frame's checksum is SHA-256d(payload)[0..4], and the payload is the transaction as
 * sent, so that is the first 4 bytes of its wtxid: decoding computes it anyway. The framer
 * leaves these checksums to decodeMessage, saving a second hash of every transaction.
 */
export function checksumLeftToDecoder(command: string): boolean {
  return command === 'tx';
}

function checksumFailed(frame: Frame, actual: number, expected: number): ChecksumError {
  const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
  return new ChecksumError(`${frame.command} payload checksum ${hex(actual)} does not match the header's ${hex(expected)}`);
}

/**
 * A frame's payload as a typed message. Throws DecodeError for a payload its codec refuses
 * (LimitError when it breaks a limit Core disconnects for), and ChecksumError when the checksum
 * the framer left to it (a `tx`'s, or any that failed there: see Framer) is wrong. Either way the
 * frame was whole and the stream stays in step. Unknown commands come back as
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
  const expected = frame.checksum;
  if (expected !== undefined && frame.command !== 'tx') {
    const actual = checksum(frame.payload);
    if (actual !== expected) throw checksumFailed(frame, actual, expected);
  }
  const codec = BY_COMMAND.get(frame.command);
  if (codec === undefined) return { command: 'unknown', name: frame.command, payload: frame.payload };
  if (frame.payload.length > codec.maxPayload) {
    throw new DecodeError(`${frame.command} payload of ${frame.payload.length} bytes exceeds its maximum of ${codec.maxPayload}`);
  }
  const r = new ByteReader(frame.payload);
  const message = codec.decode(r);
  if (codec.command !== 'version') r.finish(frame.command);
  if (expected !== undefined && message.command === 'tx') {
    const w = message.tx.wtxid;
    const actual = (w[0] | (w[1] << 8) | (w[2] << 16) | (w[3] << 24)) >>> 0;
    if (actual !== expected) throw checksumFailed(frame, actual, expected);
  }
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
