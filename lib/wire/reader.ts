import { DecodeError, LimitError } from './errors.js';
import { MAX_COMPACT_SIZE } from './limits.js';

/**
 * A bounded cursor over bytes. Every read checks the bytes that remain first and throws
 * DecodeError, never RangeError; `bytes(n)` returns a view, not a copy.
 */
export class ByteReader {
  private pos: number;
  private readonly end: number;
  private readonly dv: DataView;

  constructor(
    readonly data: Uint8Array,
    start = 0,
    end = data.length,
  ) {
    this.pos = start;
    this.end = end;
    this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw new DecodeError(`truncated ${what}`, this.pos);
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.data[this.pos++];
  }

  u16le(what = 'u16'): number {
    this.need(2, what);
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  /** Network byte order, used only for ports in addresses. */
  u16be(what = 'port'): number {
    this.need(2, what);
    const v = this.dv.getUint16(this.pos, false);
    this.pos += 2;
    return v;
  }

  u32le(what = 'u32'): number {
    this.need(4, what);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32le(what = 'i32'): number {
    this.need(4, what);
    const v = this.dv.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64le(what = 'u64'): bigint {
    this.need(8, what);
    const v = this.dv.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64le(what = 'i64'): bigint {
    this.need(8, what);
    const v = this.dv.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bool(what = 'bool'): boolean {
    return this.u8(what) !== 0;
  }

  /** A view of the next n bytes. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A 32-byte hash in internal (wire) byte order. */
  hash(what = 'hash'): Uint8Array {
    return this.bytes(32, what);
  }

  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.pos += n;
  }

  /**
   * CompactSize as Bitcoin Core reads it (serialize.h ReadCompactSize): the shortest encoding
   * only, and at most MAX_COMPACT_SIZE.
   */
  compactSize(what = 'CompactSize'): number {
    this.need(1, what);
    const first = this.data[this.pos];
    let v: number;
    if (first < 0xfd) {
      this.pos += 1;
      return first;
    } else if (first === 0xfd) {
      this.need(3, what);
      v = this.dv.getUint16(this.pos + 1, true);
      if (v < 0xfd) throw new DecodeError(`non-canonical CompactSize (${what})`, this.pos);
      this.pos += 3;
    } else if (first === 0xfe) {
      this.need(5, what);
      v = this.dv.getUint32(this.pos + 1, true);
      if (v < 0x10000) throw new DecodeError(`non-canonical CompactSize (${what})`, this.pos);
      this.pos += 5;
    } else {
      this.need(9, what);
      const big = this.dv.getBigUint64(this.pos + 1, true);
      if (big < 0x100000000n) throw new DecodeError(`non-canonical CompactSize (${what})`, this.pos);
      throw new DecodeError(`CompactSize too large (${what})`, this.pos);
    }
    if (v > MAX_COMPACT_SIZE) throw new DecodeError(`CompactSize too large (${what})`, this.pos - 5);
    return v;
  }

  /**
   * A count of items that each take at least `minItemBytes` bytes, checked against the bytes
   * that remain and against `max` before the caller allocates anything for them.
   */
  count(minItemBytes: number, max: number, what: string): number {
    return this.checkedCount(minItemBytes, max, what, DecodeError);
  }

  /**
   * `count` for a protocol limit on which Core disconnects the peer (inv, addr, headers, locator):
   * over `max` is a LimitError, which costs the peer, not just the message.
   */
  limitedCount(minItemBytes: number, max: number, what: string): number {
    return this.checkedCount(minItemBytes, max, what, LimitError);
  }

  private checkedCount(minItemBytes: number, max: number, what: string, OverMax: typeof DecodeError): number {
    const at = this.pos;
    const n = this.compactSize(what);
    if (n > max) throw new OverMax(`too many ${what}: ${n} > ${max}`, at);
    if (n * minItemBytes > this.remaining) throw new DecodeError(`${what} count ${n} exceeds the remaining bytes`, at);
    return n;
  }

  /** CompactSize length followed by that many bytes (a view), at most `max`. */
  varBytes(max: number, what = 'bytes'): Uint8Array {
    const at = this.pos;
    const n = this.compactSize(what);
    if (n > max) throw new DecodeError(`${what} too long: ${n} > ${max}`, at);
    return this.bytes(n, what);
  }

  /** CompactSize-prefixed string; bytes that are not UTF-8 are replaced, never thrown on. */
  varStr(max: number, what = 'string'): string {
    return new TextDecoder().decode(this.varBytes(max, what));
  }

  /** Asserts the message is fully consumed: trailing bytes are an error for strict codecs. */
  finish(what = 'message'): void {
    if (this.pos !== this.end) throw new DecodeError(`${this.end - this.pos} trailing bytes after ${what}`, this.pos);
  }
}
