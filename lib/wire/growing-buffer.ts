/**
 * The first buffer for a message's bytes (a v1 payload, a v2 packet's header + contents + tag):
 * it doubles as the bytes come, up to the declared length. Allocated whole from the declared
 * length (a v1 header, a v2 packet's 3 length bytes), any peer could make us hold up to 4 MB for
 * a few bytes sent, whatever its message (2,000 census visits: 8 GB of buffers counted by V8,
 * though Linux backs only the pages written; 10,000 v1 peers each part-way through an inv of
 * thousands of items after a stall: hundreds of MB). Core allocates the declared length
 * (net.cpp V1Transport::readHeader's vRecv.resize after the header, and
 * V2Transport::ProcessReceivedPacketBytes, m_recv_buffer.resize); it keeps 125 peers, we keep
 * thousands. What a peer makes us hold is at most twice what it sent, or this when less.
 */
export const GROWING_BUFFER_START = 4096;

/** One message's bytes as they come, in a buffer that grows with them (issue 19). */
export class GrowingBuffer {
  private buf: Uint8Array | undefined;
  private len = 0;
  private fill = 0;

  /** A message is in progress (its length was given to begin()). */
  get active(): boolean {
    return this.buf !== undefined;
  }

  /** Bytes received of the message in progress. */
  get filled(): number {
    return this.fill;
  }

  /** Bytes of buffer held: at most max(GROWING_BUFFER_START, 2 × filled), never more than the message. */
  get held(): number {
    return this.buf?.length ?? 0;
  }

  /** A message of `len` bytes (checked by the caller) starts. */
  begin(len: number): void {
    this.len = len;
    this.fill = 0;
    this.buf = new Uint8Array(Math.min(len, GROWING_BUFFER_START));
  }

  /** Copies what belongs to the message from `chunk` at `at`; returns where its bytes end. */
  append(chunk: Uint8Array, at: number): number {
    let buf = this.buf;
    if (buf === undefined) throw new Error('GrowingBuffer.append() before begin()');
    const take = Math.min(this.len - this.fill, chunk.length - at);
    if (this.fill + take > buf.length) {
      // Doubling: each byte is copied once more on average. Capped at the message's length, so
      // the last buffer is exactly the message.
      const grown = new Uint8Array(Math.min(this.len, Math.max(2 * buf.length, this.fill + take)));
      grown.set(buf.subarray(0, this.fill));
      this.buf = buf = grown;
    }
    buf.set(chunk.subarray(at, at + take), this.fill);
    this.fill += take;
    return at + take;
  }

  /** The whole message, once every byte came (and the buffer is let go); else undefined. */
  complete(): Uint8Array | undefined {
    const buf = this.buf;
    if (buf === undefined || this.fill < this.len) return undefined;
    this.buf = undefined;
    this.fill = 0;
    return buf;
  }
}
