/**
 * BIP 324's application layer: what a packet's contents hold (a message type, as a 1-byte short id
 * or 0x00 + 12 ASCII bytes, then the payload), after Core's V2Transport (src/net.cpp
 * GetMessageType, SetMessageToSend). No cipher here: V2Session (v2.ts) seals and opens packets.
 */
import { COMMAND_BYTES, isValidCommand } from '../wire/header.js';
import { MAX_COMPACT_SIZE, MAX_PAYLOAD_BYTES } from '../wire/limits.js';
import { EXPANSION, HEADER_LEN, LENGTH_LEN } from './cipher.js';

/**
 * Largest packet contents accepted: 0x00 + 12-byte command + the largest payload, Core's
 * MAX_CONTENTS_LEN in V2Transport::ProcessReceivedPacketBytes (1 + MESSAGE_TYPE_SIZE +
 * min(MAX_SIZE, MAX_PROTOCOL_MESSAGE_LENGTH)) = 4,000,013.
 */
export const MAX_V2_CONTENTS = 1 + COMMAND_BYTES + Math.min(MAX_COMPACT_SIZE, MAX_PAYLOAD_BYTES);

/**
 * BIP 324 "Application layer": 1-byte message type ids, index = id; '' at 0 means 12 ASCII bytes
 * follow. Core's V2_MESSAGE_IDS (src/net.cpp) stops at addrv2 = 28: the ids 29..32 the BIP
 * assigns to Erlay (reqrecon, sketch, reqsketchext, reconcildiff) map to "" there, and Core
 * ignores them like every unknown type, so here they are unknown ids too.
 */
export const V2_SHORT_IDS: readonly string[] = [
  '', 'addr', 'block', 'blocktxn', 'cmpctblock', 'feefilter', 'filteradd', 'filterclear', 'filterload', 'getblocks',
  'getblocktxn', 'getdata', 'getheaders', 'headers', 'inv', 'mempool', 'merkleblock', 'notfound', 'ping', 'pong',
  'sendcmpct', 'tx', 'getcfilters', 'cfilter', 'getcfheaders', 'cfheaders', 'getcfcheckpt', 'cfcheckpt', 'addrv2',
];
const SHORT_ID_OF = new Map(V2_SHORT_IDS.map((c, i) => [c, i] as const).filter(([, i]) => i > 0));

/** What a decrypted packet's contents name (see V2Output in v2.ts). */
export type V2Contents =
  | { readonly kind: 'message'; readonly command: string; readonly payload: Uint8Array; readonly bytes: number }
  | { readonly kind: 'dropped'; readonly reason: 'unknown-short-id' | 'bad-command'; readonly bytes: number };

/** The contents' size for `command` and a payload of `payloadBytes`. */
export function contentsBytes(command: string, payloadBytes: number): number {
  return (SHORT_ID_OF.has(command) ? 1 : 1 + COMMAND_BYTES) + payloadBytes;
}

/**
 * A packet buffer (length, header, contents, tag: EXPANSION bytes around the contents) with the
 * contents for `command` and `payload` written in, ready to be sealed in place.
 */
export function packetWithContents(command: string, payload: Uint8Array): Uint8Array {
  const id = SHORT_ID_OF.get(command);
  if (id === undefined && !isValidCommand(command)) throw new RangeError(`cannot send command ${JSON.stringify(command)}`);
  const typeLen = id === undefined ? 1 + COMMAND_BYTES : 1;
  if (typeLen + payload.length > MAX_V2_CONTENTS) throw new RangeError(`${command} payload of ${payload.length} bytes is too large`);
  const packet = new Uint8Array(typeLen + payload.length + EXPANSION);
  const at = LENGTH_LEN + HEADER_LEN;
  if (id !== undefined) packet[at] = id;
  else for (let i = 0; i < command.length; i++) packet[at + 1 + i] = command.charCodeAt(i);
  packet.set(payload, at + typeLen);
  return packet;
}

/** Core V2Transport::GetMessageType: short id, or 0x00 + printable ASCII up to a NUL, then NULs. */
export function decodeContents(contents: Uint8Array): V2Contents {
  if (contents.length === 0) return { kind: 'dropped', reason: 'bad-command', bytes: 0 };
  const first = contents[0];
  if (first !== 0) {
    const command = first < V2_SHORT_IDS.length ? V2_SHORT_IDS[first] : undefined;
    if (command === undefined) return { kind: 'dropped', reason: 'unknown-short-id', bytes: contents.length };
    return { kind: 'message', command, payload: contents.subarray(1), bytes: contents.length };
  }
  if (contents.length < 1 + COMMAND_BYTES) return { kind: 'dropped', reason: 'bad-command', bytes: contents.length };
  let end = 1;
  while (end <= COMMAND_BYTES && contents[end] !== 0) {
    if (contents[end] < 0x20 || contents[end] > 0x7f) return { kind: 'dropped', reason: 'bad-command', bytes: contents.length };
    end++;
  }
  for (let i = end; i <= COMMAND_BYTES; i++) if (contents[i] !== 0) return { kind: 'dropped', reason: 'bad-command', bytes: contents.length };
  const command = String.fromCharCode(...contents.subarray(1, end));
  return { kind: 'message', command, payload: contents.subarray(1 + COMMAND_BYTES), bytes: contents.length };
}
