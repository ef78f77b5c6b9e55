/**
 * The first buffer for a packet's header + contents + tag: it doubles as the bytes come, up to
 * the declared length. Allocated whole from the 3 length bytes, any peer could make us hold 4 MB
 * for 3 bytes sent, whatever its message (2,000 census visits: 8 GB of buffers counted by V8,
 * though Linux backs only the pages written). Core allocates the declared length (net.cpp
 * V2Transport::ProcessReceivedPacketBytes, m_recv_buffer.resize); it keeps 125 peers, we keep
 * thousands. What a peer makes us hold is at most twice what it sent, or this when less.
 */
export const V2_PACKET_BUFFER_START = 4096;

/** One packet's bytes as they come, in a buffer that grows with them (issue 19). */
export class PacketBuffer {
  private buf: Uint8Array | undefined;
  private len = 0;
  private fill = 0;

  /** A packet is in progress (its length was given to begin()). */
  get active(): boolean {
    return this.buf !== undefined;
  }

  /** Bytes received of the packet in progress. */
  get filled(): number {
    return this.fill;
  }

  /** Bytes of buffer held: at most max(V2_PACKET_BUFFER_START, 2 × filled), never more than the packet. */
  get held(): number {
    return this.buf?.length ?? 0;
  }

  /** A packet of `len` bytes (checked by the caller) starts. */
  begin(len: number): void {
    this.len = len;
    this.fill = 0;
    this.buf = new Uint8Array(Math.min(len, V2_PACKET_BUFFER_START));
  }

  /** Copies what belongs to the packet from `chunk` at `at`; returns where its bytes end. */
  append(chunk: Uint8Array, at: number): number {
    let buf = this.buf;
    if (buf === undefined) throw new Error('PacketBuffer.append() before begin()');
    const take = Math.min(this.len - this.fill, chunk.length - at);
    if (this.fill + take > buf.length) {
      // Doubling: each byte is copied once more on average. Capped at the packet's length, so
      // the last buffer is exactly the packet.
      const grown = new Uint8Array(Math.min(this.len, Math.max(2 * buf.length, this.fill + take)));
      grown.set(buf.subarray(0, this.fill));
      this.buf = buf = grown;
    }
    buf.set(chunk.subarray(at, at + take), this.fill);
    this.fill += take;
    return at + take;
  }

  /** The whole packet, once every byte came (and the buffer is let go); else undefined. */
  complete(): Uint8Array | undefined {
    const buf = this.buf;
    if (buf === undefined || this.fill < this.len) return undefined;
    this.buf = undefined;
    this.fill = 0;
    return buf;
  }
}
