import { FramingError } from './errors.js';
import { checksum } from './hash.js';
import { decodeHeader, type MessageHeader } from './header.js';
import { HEADER_BYTES } from './limits.js';
import type { Frame } from './messages.js';

/**
 * Splits a byte stream into frames: pure, no I/O, no timers. Each pushed chunk is consumed at
 * once: header bytes are copied into a fixed 24-byte buffer, payload bytes into a buffer of the
 * declared length, allocated only after the header passed every check (magic, command, length
 * against MAX_PAYLOAD_BYTES and against `maxPayloadFor(command)`). Every byte is copied once,
 * so a 4 MB message costs O(4 MB) however it is chunked, and at most 24 + the current frame's
 * declared length is held.
 *
 * A FramingError (bad-magic, bad-command, oversized) means the stream cannot be trusted any more: the framer is dead and every later push throws the same error. Frames
 * completed earlier in the chunk that failed are not returned; the connection is dropped anyway.
 */
/** What `payload` holds between frames: one shared empty array, not a new one per frame (each would live until the peer's next frame, long enough to be promoted to V8's old generation). */
const NO_PAYLOAD = new Uint8Array(0);

export class Framer {
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  /** The header of the frame whose payload is being filled, if any. */
  private current: MessageHeader | undefined;
  private payload = NO_PAYLOAD;
  private payloadFill = 0;
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
    return this.headerFill + this.payloadFill;
  }

  push(chunk: Uint8Array): Frame[] {
    if (this.failure) throw this.failure;
    try {
      return this.consume(chunk);
    } catch (err) {
      if (err instanceof FramingError) this.failure = err;
      throw err;
    }
  }

  private consume(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let at = 0;
    for (;;) {
      if (this.current === undefined) {
        const take = Math.min(HEADER_BYTES - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill < HEADER_BYTES) return frames;
        this.current = decodeHeader(this.header, this.magic, this.maxPayloadFor);
        this.payload = new Uint8Array(this.current.length);
        this.payloadFill = 0;
      }
      const take = Math.min(this.current.length - this.payloadFill, chunk.length - at);
      this.payload.set(chunk.subarray(at, at + take), this.payloadFill);
      this.payloadFill += take;
      at += take;
      if (this.payloadFill < this.current.length) return frames;
      frames.push(this.finishFrame(this.current, this.payload));
    }
  }

  private finishFrame(header: MessageHeader, payload: Uint8Array): Frame {
    // A frame whose checksum fails is still a frame: its length was honest, so the stream stays
    // in step. It goes out with the header's checksum for decodeMessage to check and refuse, as
    // Core drops just that message (net.cpp V1Transport::GetReceivedMessage, "CHECKSUM ERROR").
    const verified = !this.checksumLeftToDecoder(header.command) && checksum(payload) === header.checksum;
    this.current = undefined;
    this.headerFill = 0;
    this.payload = NO_PAYLOAD;
    this.payloadFill = 0;
    return verified ? { command: header.command, payload } : { command: header.command, payload, checksum: header.checksum };
  }
}
