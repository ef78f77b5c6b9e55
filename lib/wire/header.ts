import { FramingError } from './errors.js';
import { checksum } from './hash.js';
import { HEADER_BYTES, MAX_PAYLOAD_BYTES } from './limits.js';
import type { Command } from './messages.js';

/** protocol.h CMessageHeader::MESSAGE_TYPE_SIZE: the command field, ASCII padded with NULs. */
export const COMMAND_BYTES = 12;

/** A parsed 24-byte message header (protocol.h CMessageHeader). */
export interface MessageHeader {
  /** The 4 message-start bytes as a little-endian u32, as NetworkParams.magic. */
  readonly magic: number;
  readonly command: string;
  /** Declared payload length. */
  readonly length: number;
  /** First 4 bytes of SHA-256d(payload) as a little-endian u32, as checksum() returns it. */
  readonly checksum: number;
}

/** Printable ASCII, the characters Core allows in a command (protocol.cpp IsMessageTypeValid). */
function isPrintable(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** True when `command` can be sent: at most 12 printable ASCII characters. */
export function isValidCommand(command: string): boolean {
  if (command.length > COMMAND_BYTES) return false;
  for (let i = 0; i < command.length; i++) if (!isPrintable(command.charCodeAt(i))) return false;
  return true;
}

/**
 * The commands we have a codec for (registry.ts's CODECS; `satisfies` makes a missing or extra
 * one a type error). Their headers are matched word by word and get these very strings back:
 * no string is built per message (11,000 invs a second at 10,000 peers).
 */
const KNOWN_COMMANDS = {
  version: true, verack: true, sendaddrv2: true, wtxidrelay: true, sendheaders: true, getaddr: true, mempool: true,
  ping: true, pong: true, inv: true, getdata: true, notfound: true, tx: true, block: true, headers: true,
  getheaders: true, getblocks: true, addr: true, addrv2: true, feefilter: true, sendcmpct: true,
  cmpctblock: true, getblocktxn: true, blocktxn: true,
} as const satisfies Record<Exclude<Command, 'unknown'>, true>;

/** A known command's 12-byte field as three little-endian i32 words. */
interface KnownField {
  readonly w1: number;
  readonly w2: number;
  readonly command: string;
}

/** Known fields by their first word (several share one: "send…", "addr"/"addrv2"). */
const BY_FIRST_WORD: ReadonlyMap<number, readonly KnownField[]> = (() => {
  const m = new Map<number, KnownField[]>();
  for (const command of Object.keys(KNOWN_COMMANDS)) {
    const field = new Uint8Array(COMMAND_BYTES);
    for (let i = 0; i < command.length; i++) field[i] = command.charCodeAt(i);
    const dv = new DataView(field.buffer);
    const w0 = dv.getInt32(0, true);
    m.set(w0, [...(m.get(w0) ?? []), { w1: dv.getInt32(4, true), w2: dv.getInt32(8, true), command }]);
  }
  return m;
})();

/** The known command whose field is exactly the 12 bytes at `at`, NUL padding included. */
function knownCommandAt(dv: DataView, at: number): string | undefined {
  const fields = BY_FIRST_WORD.get(dv.getInt32(at, true));
  if (fields === undefined) return undefined;
  const w1 = dv.getInt32(at + 4, true);
  const w2 = dv.getInt32(at + 8, true);
  for (const f of fields) if (f.w1 === w1 && f.w2 === w2) return f.command;
  return undefined;
}

/**
 * The command field as Core checks it (protocol.cpp CMessageHeader::IsMessageTypeValid):
 * printable ASCII up to the first NUL, and only NULs after it. (A known command's exact field
 * passes these checks by construction, so knownCommandAt may answer first.)
 */
function readCommand(field: Uint8Array): string {
  let end = field.indexOf(0);
  if (end === -1) end = field.length;
  for (let i = 0; i < field.length; i++) {
    const valid = i < end ? isPrintable(field[i]) : field[i] === 0;
    if (!valid) throw new FramingError('bad-command', `invalid byte 0x${field[i].toString(16).padStart(2, '0')} in command at position ${i}`);
  }
  return String.fromCharCode(...field.subarray(0, end));
}

/**
 * Parses and checks a 24-byte header. Core's V1Transport checks the magic, then the declared
 * length against MAX_PROTOCOL_MESSAGE_LENGTH (net.cpp V1Transport::readHeader); so do we, then
 * the command, then the length against the command's own maximum. An oversized frame is thus
 * refused before any of its payload is read or buffered. (Core checks the command only once the
 * payload is in, and drops just that message. Here a bad command ends the stream: we have no
 * limit to hold the length against for a command we cannot name, and a peer that garbles its
 * headers is not worth keeping.)
 */
export function decodeHeader(bytes: Uint8Array, magic: number, maxPayloadFor: (command: string) => number): MessageHeader {
  if (bytes.length !== HEADER_BYTES) throw new RangeError(`a header is ${HEADER_BYTES} bytes, got ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const gotMagic = dv.getUint32(0, true);
  if (gotMagic !== magic >>> 0) {
    throw new FramingError('bad-magic', `wrong network magic 0x${hex32(gotMagic)} (expected 0x${hex32(magic)})`, gotMagic);
  }
  const length = dv.getUint32(16, true);
  if (length > MAX_PAYLOAD_BYTES) {
    throw new FramingError('oversized', `frame declares ${length} payload bytes, more than the ${MAX_PAYLOAD_BYTES} any message may have`);
  }
  const command = knownCommandAt(dv, 4) ?? readCommand(bytes.subarray(4, 4 + COMMAND_BYTES));
  const max = maxPayloadFor(command);
  if (length > max) throw new FramingError('oversized', `${command} declares ${length} payload bytes, more than its maximum of ${max}`);
  return { magic: gotMagic, command, length, checksum: dv.getUint32(20, true) };
}

/** Writes the 24-byte header for `payload` into `out` (at least 24 bytes). */
function writeHeader(out: Uint8Array, magic: number, command: string, payload: Uint8Array): void {
  const dv = new DataView(out.buffer, out.byteOffset, HEADER_BYTES);
  dv.setUint32(0, magic >>> 0, true);
  for (let i = 0; i < COMMAND_BYTES; i++) out[4 + i] = i < command.length ? command.charCodeAt(i) : 0;
  dv.setUint32(16, payload.length, true);
  dv.setUint32(20, checksum(payload), true);
}

/**
 * A whole frame: header + payload. Throws RangeError for a command that is not 0–12 printable
 * ASCII characters or a payload over MAX_PAYLOAD_BYTES: the peer would drop us for either.
 */
export function encodeFrame(magic: number, command: string, payload: Uint8Array): Uint8Array {
  if (!isValidCommand(command)) throw new RangeError(`cannot send command ${JSON.stringify(command)}: at most ${COMMAND_BYTES} printable ASCII characters`);
  if (payload.length > MAX_PAYLOAD_BYTES) throw new RangeError(`cannot send ${command}: payload of ${payload.length} bytes > ${MAX_PAYLOAD_BYTES}`);
  const frame = new Uint8Array(HEADER_BYTES + payload.length);
  writeHeader(frame, magic, command, payload);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
