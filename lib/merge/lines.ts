/**
 * Lines of a file, each at most MAX_LINE_BYTES, read without ever building a longer string (the
 * splitting is lib/output/line-splitter.ts', shared with `crawl report`): a line past the bound is
 * skipped as its bytes go by, only its length counted.
 */
import { LineSplitter } from '../output/line-splitter.js';

/**
 * A line (file or bus message) at most this many bytes. The largest line a crawl prints is a tx
 * line of a transaction near MAX_STANDARD_TX_WEIGHT (policy.h: 400,000 WU, 100 kB of non-witness
 * data), a few hundred kB of JSON; NATS refuses messages past its max_payload (1 MB by default).
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export type LineItem = { readonly line: string } | { readonly over: number };

/**
 * The lines of `chunks` (a file's read stream), without their "\n" (and a "\r" before it): `line`
 * for each line within `maxBytes`, `over` (its length in bytes) for each longer one, skipped. The
 * lines of one chunk are handed on together (a chunk's worth: the read stream's 64 kB, or one line
 * within the bound).
 */
export async function* boundedLines(chunks: AsyncIterable<Buffer>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<LineItem> {
  let items: LineItem[] = [];
  const splitter = new LineSplitter(
    {
      line: (text) => items.push({ line: text.endsWith('\r') ? text.slice(0, -1) : text }),
      overlong: (_n, bytes) => items.push({ over: bytes }),
    },
    maxBytes,
  );
  for await (const chunk of chunks) {
    splitter.push(chunk);
    const ready = items;
    items = [];
    yield* ready;
  }
  splitter.end();
  yield* items;
}
