/** Field layouts shared by several messages. */
import { DecodeError } from '../errors.js';
import type { NetAddr } from '../messages.js';
import type { ByteReader } from '../reader.js';
import type { ByteWriter } from '../writer.js';

/** Bytes of the IP field of a legacy address (IPv6, or IPv4 as ::ffff:a.b.c.d). */
export const IP_BYTES = 16;

/** The 26-byte address of `version` and `addr` (protocol.h CService, V1 format): services u64 LE, IP, port u16 BE. */
export const NETADDR_BYTES = 8 + IP_BYTES + 2;

export function readNetAddr(r: ByteReader, what: string): NetAddr {
  const services = r.u64le(`${what} services`);
  const ip = r.bytes(IP_BYTES, `${what} ip`);
  // The port is in network byte order, unlike every other integer in the protocol.
  const port = r.u16be(`${what} port`);
  return { services, ip, port };
}

export function writeNetAddr(a: NetAddr, w: ByteWriter, what: string): void {
  if (a.ip.length !== IP_BYTES) throw new RangeError(`cannot encode ${what}: ip must be ${IP_BYTES} bytes`);
  w.u64le(a.services).bytes(a.ip).u16be(a.port);
}

/**
 * A CompactSize read as a full u64: still minimally encoded, but without Core's MAX_SIZE range
 * check. Core reads addrv2 service flags this way (protocol.h CAddress:
 * `Using<CompactSizeFormatter<false>>(services_tmp)`), because they are a bit field, not a length.
 */
export function readCompactSizeU64(r: ByteReader, what: string): bigint {
  const at = r.offset;
  const first = r.u8(what);
  let v: bigint;
  let min: bigint;
  if (first < 0xfd) return BigInt(first);
  if (first === 0xfd) {
    v = BigInt(r.u16le(what));
    min = 0xfdn;
  } else if (first === 0xfe) {
    v = BigInt(r.u32le(what));
    min = 0x10000n;
  } else {
    v = r.u64le(what);
    min = 0x100000000n;
  }
  if (v < min) throw new DecodeError(`non-canonical CompactSize (${what})`, at);
  return v;
}

/** Canonical CompactSize of a u64 value (bigint, so service bits above 2^53 survive). */
export function writeCompactSizeU64(v: bigint, w: ByteWriter): void {
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`CompactSize out of range: ${v}`);
  if (v < 0xfdn) w.u8(Number(v));
  else if (v <= 0xffffn) w.u8(0xfd).u16le(Number(v));
  else if (v <= 0xffffffffn) w.u8(0xfe).u32le(Number(v));
  else w.u8(0xff).u64le(v);
}
