/**
 * A growable byte writer. Capacity doubles, so writing n bytes costs O(n) overall; `finish()`
 * returns a view of exactly the bytes written.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private dv: DataView;
  private pos = 0;

  constructor(sizeHint = 256) {
    this.buf = new Uint8Array(Math.max(16, sizeHint));
    this.dv = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16le(v: number): this {
    this.ensure(2);
    this.dv.setUint16(this.pos, v, true);
    this.pos += 2;
    return this;
  }

  u16be(v: number): this {
    this.ensure(2);
    this.dv.setUint16(this.pos, v, false);
    this.pos += 2;
    return this;
  }

  u32le(v: number): this {
    this.ensure(4);
    this.dv.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  i32le(v: number): this {
    this.ensure(4);
    this.dv.setInt32(this.pos, v | 0, true);
    this.pos += 4;
    return this;
  }

  u64le(v: bigint): this {
    this.ensure(8);
    this.dv.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
    return this;
  }

  i64le(v: bigint): this {
    this.ensure(8);
    this.dv.setBigInt64(this.pos, BigInt.asIntN(64, v), true);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Canonical (shortest) CompactSize. */
  compactSize(n: number): this {
    if (n < 0xfd) return this.u8(n);
    if (n <= 0xffff) return this.u8(0xfd).u16le(n);
    if (n <= 0xffffffff) return this.u8(0xfe).u32le(n);
    return this.u8(0xff).u64le(BigInt(n));
  }

  varBytes(b: Uint8Array): this {
    return this.compactSize(b.length).bytes(b);
  }

  varStr(s: string): this {
    return this.varBytes(new TextEncoder().encode(s));
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
