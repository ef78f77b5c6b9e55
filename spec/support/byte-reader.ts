/** Reads a socket as a queue of bytes: exactly n bytes, or one '\n'-terminated line. Waits on data events, never on timers. */
import type { Socket } from 'node:net';

export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.wake?.();
    });
    const end = (): void => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('close', end);
    socket.on('end', end);
    socket.on('error', () => {});
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.ended) throw new Error('connection closed');
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  async bytes(n: number): Promise<Buffer> {
    await this.until(() => this.buf.length >= n);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  async line(): Promise<string> {
    await this.until(() => this.buf.includes(0x0a));
    const nl = this.buf.indexOf(0x0a);
    const out = this.buf.subarray(0, nl).toString('latin1');
    this.buf = this.buf.subarray(nl + 1);
    return out;
  }

  /** Whatever is buffered, and from now on nothing more is read here (the caller pipes the socket). */
  release(): Buffer {
    this.socket.removeAllListeners('data');
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }
}
