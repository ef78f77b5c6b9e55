/**
 * Lines out of byte chunks (a saved crawl's NDJSON: a file, stdin), each at most a bound that the
 * reader names: a longer line is skipped whole as its bytes go by (only its length is counted),
 * never held, so a 700 MB line or /dev/zero costs reading time, not memory (readline built the
 * whole string and died of it: `RangeError: Invalid string length`). `crawl report` (lib/report)
 * and `crawl merge` (lib/merge) both read through it, each with its own bound.
 */

const NEWLINE = 0x0a;

export interface LineSink {
  /** A whole line (without its "\n"), the `n`-th of its input; `atEnd` when the input ended without a newline after it. */
  line(text: string, n: number, atEnd: boolean): void;
  /** The `n`-th line, `bytes` long, was longer than the bound and was skipped. */
  overlong(n: number, bytes: number): void;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private bytes = 0;
  /** The length so far of a line being skipped, once it went past the bound. */
  private skipping: number | undefined;
  private n = 0;

  constructor(
    private readonly sink: LineSink,
    /** The longest line handed on, in bytes (its "\n" not counted, a "\r" before it counted). */
    private readonly maxBytes: number,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      this.n++;
      const length = (this.skipping ?? this.bytes) + (nl - start);
      if (this.skipping !== undefined || length > this.maxBytes) this.sink.overlong(this.n, length);
      // A line whole in this chunk is read from the chunk itself, without a copy.
      else if (this.parts.length === 0) this.sink.line(chunk.toString('utf8', start, nl), this.n, false);
      else this.sink.line(Buffer.concat([...this.parts, chunk.subarray(start, nl)]).toString('utf8'), this.n, false);
      this.parts = [];
      this.bytes = 0;
      this.skipping = undefined;
      start = nl + 1;
    }
    if (start >= chunk.length) return;
    const rest = chunk.length - start;
    if (this.skipping !== undefined) {
      this.skipping += rest;
      return;
    }
    if (this.bytes + rest > this.maxBytes) {
      this.skipping = this.bytes + rest;
      this.parts = [];
      this.bytes = 0;
      return;
    }
    // A copy: a slice would keep the whole chunk alive.
    this.parts.push(Buffer.from(chunk.subarray(start)));
    this.bytes += rest;
  }

  /** The input ended: a last line without its newline is handed on. */
  end(): void {
    if (this.skipping !== undefined) this.sink.overlong(++this.n, this.skipping);
    else if (this.bytes > 0) this.sink.line(Buffer.concat(this.parts).toString('utf8'), ++this.n, true);
    this.parts = [];
    this.bytes = 0;
    this.skipping = undefined;
  }
}
