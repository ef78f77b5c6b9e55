/**
 * The status line at the bottom of a terminal (peers, tx/s, …), and every other stderr line
 * printed above it: each write first clears the status line (CR, then ESC[K: erase to the end of
 * the line) and, once its text has ended a line, draws the status line again below it. Without
 * that, a log line would start right after the status text on the same row.
 */
import { Writable } from 'node:stream';

/** ECMA-48 EL (erase in line), 0: from the cursor to the end of the line. */
export const ERASE_LINE = '\x1b[K';

export class StatusLine {
  private text: string | undefined;
  /** Every stderr write but the status line's own: give it to the logger, and as the command's stderr. */
  readonly stream: Writable;

  constructor(private readonly out: NodeJS.WritableStream) {
    this.stream = new Writable({
      decodeStrings: false,
      write: (chunk: Buffer | string, _enc, done) => {
        this.write(String(chunk));
        done();
      },
    });
  }

  /** Text above the status line. */
  write(s: string): void {
    if (this.text === undefined) {
      this.out.write(s);
      return;
    }
    const redraw = s.endsWith('\n') ? `${this.text}${ERASE_LINE}` : '';
    this.out.write(`\r${ERASE_LINE}${s}${redraw}`);
  }

  /** Shows (or replaces) the status line. */
  show(text: string): void {
    this.text = text;
    this.out.write(`\r${text}${ERASE_LINE}`);
  }

  /** Leaves the last status on its own line; later writes go straight through. */
  end(): void {
    if (this.text !== undefined) this.out.write('\n');
    this.text = undefined;
  }
}
