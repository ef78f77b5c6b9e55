import { FramingError } from './errors.js';
import { GrowingBuffer } from './growing-buffer.js';
import { checksum } from './hash.js';
import { decodeHeader, type MessageHeader } from './header.js';
import { HEADER_BYTES } from './limits.js';
import type { Frame } from './messages.js';

/** Every empty payload (verack, sendheaders, …): one shared array, not a new one per frame. */
const NO_PAYLOAD = new Uint8Array(0);

/**
 * Splits a byte stream into frames: pure, no I/O, no timers. Each pushed chunk is consumed at
 * once: header bytes are copied into a fixed 24-byte buffer, payload bytes, once the header
 * passed every check (magic, command, length against MAX_PAYLOAD_BYTES and against
 * `maxPayloadFor(command)`), into an array of their own: of the declared length when the chunk
 * holds them all, else one that grows as they come (GrowingBuffer: at most twice what came, or
 * 4,096 bytes). Every byte is copied at most twice, so a 4 MB message costs O(4 MB) however it
 * is chunked, and a peer that declares 1.8 MB and sends 10 bytes makes us hold 4 kB, not 1.8 MB.
 *
 * A FramingError (bad-magic, bad-command, oversized) means the stream cannot be trusted any more:
 * the framer is dead and every later push throws the same error. The frames completed before it
 * in the same chunk are in `out` when it is thrown, so a caller hands on the same frames however
 * the stream was cut into chunks (a handshake's verack and the garbage after it in one read is
 * still a handshake, then a drop).
 */
export class Framer {
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  /** The header of the frame whose payload is being filled, if any. */
  private current: MessageHeader | undefined;
  /** The current frame's payload as it comes, when the chunk did not hold all of it. */
  private readonly body = new GrowingBuffer();
  private failure: FramingError | undefined;

  constructor(
    private readonly magic: number,
    private readonly maxPayloadFor: (command: string) => number,
    /**
     * Commands whose checksum the decoder verifies instead (registry.ts: a `tx` payload's
     * checksum is the first 4 bytes of its wtxid, which decoding computes anyway). Their frames
     * carry `checksum`; the caller must pass them to decodeMessage, which checks it.
     */
    private readonly checksumLeftToDecoder: (command: string) => boolean = () => false,
  ) {}

  /** Bytes received and held that are not yet part of a returned frame. */
  get bufferedBytes(): number {
    return this.headerFill + this.body.filled;
  }

  /** Bytes of buffer held for the payload in progress (see GrowingBuffer). */
  get heldBytes(): number {
    return this.body.held;
  }

  /** Appends the frames `chunk` completes to `out` (returned), in stream order, even when it throws. */
  push(chunk: Uint8Array, out: Frame[] = []): Frame[] {
    if (this.failure) throw this.failure;
    try {
      return this.consume(chunk, out);
    } catch (err) {
      if (err instanceof FramingError) this.failure = err;
      throw err;
    }
  }

  private consume(chunk: Uint8Array, frames: Frame[]): Frame[] {
    let at = 0;
    for (;;) {
      if (this.current === undefined) {
        const take = Math.min(HEADER_BYTES - this.headerFill, chunk.length - at);
        for (let i = 0; i < take; i++) this.header[this.headerFill + i] = chunk[at + i];
        this.headerFill += take;
        at += take;
        if (this.headerFill < HEADER_BYTES) return frames;
        const header = decodeHeader(this.header, this.magic, this.maxPayloadFor);
        const n = header.length;
        if (chunk.length - at >= n) {
          // Whole in the chunk (which is only valid during this call): copied out at once.
          const payload = n === 0 ? NO_PAYLOAD : new Uint8Array(n);
          if (n <= 32) for (let i = 0; i < n; i++) payload[i] = chunk[at + i];
          else payload.set(chunk.subarray(at, at + n));
          at += n;
          frames.push(this.finishFrame(header, payload));
          continue;
        }
        this.current = header;
        this.body.begin(n);
      }
      at = this.body.append(chunk, at);
      const payload = this.body.complete();
      if (payload === undefined) return frames;
      frames.push(this.finishFrame(this.current, payload));
    }
  }

  private finishFrame(header: MessageHeader, payload: Uint8Array): Frame {
    // A frame whose checksum fails is still a frame: its length was honest, so the stream stays
    // in step. It goes out with the header's checksum for decodeMessage to check and refuse, as
    // Core drops just that message (net.cpp V1Transport::GetReceivedMessage, "CHECKSUM ERROR").
    const verified = !this.checksumLeftToDecoder(header.command) && checksum(payload) === header.checksum;
    this.current = undefined;
    this.headerFill = 0;
    return verified ? { command: header.command, payload } : { command: header.command, payload, checksum: header.checksum };
  }
}
