/** Lines out of byte chunks, each at most MAX_LINE_BYTES long: a longer one is skipped whole, never held. */

/**
 * The longest line read: a block line lists every txid (a 4 MWU block, consensus.h
 * MAX_BLOCK_WEIGHT, holds at most 4,000,000 / MIN_TRANSACTION_WEIGHT (240) ≈ 16,700 of them, ~1.1 MB),
 * and a tx line of a standard transaction (policy.h MAX_STANDARD_TX_WEIGHT, 400,000) with --raw is
 * about 2 MB. Longer lines are skipped and counted.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

const NEWLINE = 0x0a;

export interface LineSink {
  /** A whole line (without its newline), the `n`-th of its input; `atEnd` when the input ended without a newline after it. */
  line(text: string, n: number, atEnd: boolean): void;
  /** The `n`-th line was longer than the bound and was skipped. */
  overlong(n: number): void;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private bytes = 0;
  private tooLong = false;
  private n = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      this.n++;
      if (this.tooLong || this.bytes + (nl - start) > this.maxBytes) this.sink.overlong(this.n);
      else if (this.parts.length === 0) this.sink.line(chunk.toString('utf8', start, nl), this.n, false);
      else this.sink.line(Buffer.concat([...this.parts, chunk.subarray(start, nl)]).toString('utf8'), this.n, false);
      this.parts = [];
      this.bytes = 0;
      this.tooLong = false;
      start = nl + 1;
    }
    if (start >= chunk.length || this.tooLong) return;
    const rest = chunk.subarray(start);
    if (this.bytes + rest.length > this.maxBytes) {
      this.tooLong = true;
      this.parts = [];
      this.bytes = 0;
      return;
    }
    // A copy: a slice would keep the whole chunk alive.
    this.parts.push(Buffer.from(rest));
    this.bytes += rest.length;
  }

  /** The input ended: a last line without its newline is handed on. */
  end(): void {
    if (this.tooLong) this.sink.overlong(++this.n);
    else if (this.bytes > 0) this.sink.line(Buffer.concat(this.parts).toString('utf8'), ++this.n, true);
    this.parts = [];
    this.bytes = 0;
    this.tooLong = false;
  }
}
