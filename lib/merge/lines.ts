/**
 * Lines of a file, each at most MAX_LINE_BYTES, read without ever building a longer string: a line
 * past the bound is skipped as its bytes go by (only its length is counted), so a 700 MB line or
 * /dev/zero costs reading time, not memory (readline built the whole string and died of it:
 * `RangeError: Invalid string length`).
 */

/**
 * A line (file or bus message) at most this many bytes. The largest line a crawl prints is a tx
 * line of a transaction near MAX_STANDARD_TX_WEIGHT (policy.h: 400,000 WU, 100 kB of non-witness
 * data), a few hundred kB of JSON; NATS refuses messages past its max_payload (1 MB by default).
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

const NEWLINE = 0x0a;

export type LineItem = { readonly line: string } | { readonly over: number };

/**
 * The lines of `chunks` (a file's read stream), without their "\n" (and a "\r" before it): `line`
 * for each line within `maxBytes`, `over` (its length in bytes) for each longer one, skipped.
 */
export async function* boundedLines(chunks: AsyncIterable<Buffer>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<LineItem> {
  let parts: Buffer[] = [];
  let length = 0;
  /** The length of a line being skipped, once it went past maxBytes. */
  let skipping: number | undefined;
  const finish = (): LineItem => {
    if (skipping !== undefined) {
      const over = skipping;
      skipping = undefined;
      return { over };
    }
    let text = (parts.length === 1 ? parts[0] : Buffer.concat(parts, length)).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    parts = [];
    length = 0;
    return { line: text };
  };
  const take = (piece: Buffer): void => {
    if (skipping !== undefined) {
      skipping += piece.length;
      return;
    }
    if (length + piece.length > maxBytes) {
      skipping = length + piece.length;
      parts = [];
      length = 0;
      return;
    }
    if (piece.length > 0) {
      // A copy: the stream's chunk is not held for the sake of a short piece of it.
      parts.push(Buffer.from(piece));
      length += piece.length;
    }
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      take(chunk.subarray(start, nl));
      yield finish();
      start = nl + 1;
    }
    take(chunk.subarray(start));
  }
  if (skipping !== undefined || length > 0) yield finish();
}
