import type { Socket } from 'node:net';
import { PeerError } from './errors.js';

/**
 * Bytes queued for a peer (written, not yet taken by the kernel) past which we stop reading it:
 * Core's fPauseSend, set while nSendSize > nSendBufferMaxSize (net.cpp SocketSendData), that is
 * -maxsendbuffer, DEFAULT_MAXSENDBUFFER = 1,000 × 1,000 bytes (net.h). Core then stops processing
 * that peer's messages (net_processing.cpp ProcessMessages: `if (pfrom->fPauseSend) return false`)
 * and, once its receive queue is full, stops reading it (fPauseRecv). We have no receive queue:
 * we stop reading at once, so a peer that does not read what it makes us write (pongs for a
 * flood of pings) costs at most this, plus what one read chunk makes us write.
 */
export const SEND_PAUSE_BYTES = 1_000_000;

/**
 * Past this the peer is dropped at once, `send-buffer`. Reading stops at SEND_PAUSE_BYTES, so
 * only what we send unprompted (pings, getdata, at most ~37 kB each) or one chunk's answers can
 * take us past the pause: four times it is never reached by a peer that reads at all.
 */
export const MAX_SEND_BUFFER_BYTES = 4 * SEND_PAUSE_BYTES;

/**
 * Writes to one peer's socket, and what they cost us. Writes made while a read chunk is handled
 * (`batch`) go out as one buffer when it is done: one write, and memory that is the bytes (Node's
 * cork would queue each 32-byte pong as a buffer and a request of its own, ~15 times its size).
 * Past SEND_PAUSE_BYTES queued the socket is no longer read until it drains; a peer that does
 * not take them all within `stallMs` (the ping timeout: it must read our ping within it too) or lets
 * them pass MAX_SEND_BUFFER_BYTES is dropped, `send-buffer`.
 */
export class SendBuffer {
  private parts: Uint8Array[] | undefined;
  private partBytes = 0;
  private paused = false;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly stallMs: number,
    private readonly fail: (err: PeerError) => void,
  ) {}

  /** True while reading is stopped for bytes the peer has not taken. */
  get isPaused(): boolean {
    return this.paused;
  }

  write(bytes: Uint8Array): void {
    if (this.socket.destroyed) return;
    if (this.parts) {
      this.parts.push(bytes);
      this.partBytes += bytes.length;
      return;
    }
    this.socket.write(bytes);
    this.check();
  }

  /** Runs `handle` with its writes gathered into one, then checks what is queued. */
  batch(handle: () => void): void {
    // Nested (a write that ends the session re-enters): the outer batch sends.
    if (this.parts) return handle();
    this.parts = [];
    this.partBytes = 0;
    try {
      handle();
    } finally {
      const parts = this.parts;
      this.parts = undefined;
      if (parts.length > 0 && !this.socket.destroyed) {
        this.socket.write(parts.length === 1 ? parts[0] : Buffer.concat(parts, this.partBytes));
        this.check();
      }
    }
  }

  /** Stops the stall deadline (the session is over). */
  close(): void {
    clearTimeout(this.stallTimer);
    this.socket.off('drain', this.onDrain);
  }

  private check(): void {
    const queued = this.socket.writableLength;
    if (queued <= SEND_PAUSE_BYTES) return;
    if (queued > MAX_SEND_BUFFER_BYTES) {
      this.fail(new PeerError('send-buffer', `${queued} bytes queued for the peer, over ${MAX_SEND_BUFFER_BYTES}: it does not read`));
      return;
    }
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
    this.socket.once('drain', this.onDrain);
    this.stallTimer = setTimeout(() => {
      this.fail(new PeerError('send-buffer', `${this.socket.writableLength} bytes queued for the peer, not drained within ${this.stallMs / 1000} s: it does not read`));
    }, this.stallMs);
  }

  private readonly onDrain = (): void => {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.paused = false;
    if (!this.socket.destroyed) this.socket.resume();
  };
}
