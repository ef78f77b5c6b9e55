import { createReadStream, type ReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Logger } from '../log/logger.js';
import { NdjsonSink } from '../output/ndjson.js';
import { boundedLines } from './lines.js';
import { MAX_OPEN_GROUPS, MAX_REMEMBERED, Propagation, sightingOf } from './propagation.js';
import { counted, newCounts, printer, summary, tooLong, type MergeIo } from './report.js';

export type { MergeIo } from './report.js';
export { mergeBus, MERGE_TICK_MS } from './live.js';

/** The vantage of a file's lines that do not name one: its name without the extension. */
export function vantageOfFile(path: string): string {
  return basename(path, extname(path));
}

/**
 * `crawl merge FILE…`: each file a vantage's NDJSON output (its lines' `vantage`, else the file's
 * name); every transaction and block seen in any, one propagation line each, once all are read.
 * Lines that are not JSON are counted and skipped, as are other line kinds and lines over
 * MAX_LINE_BYTES (read past, never held whole). SIGINT or SIGTERM stops the reading: what was read
 * is printed (an endless input such as /dev/zero is ended that way without losing the others).
 */
export async function mergeFiles(files: readonly string[], io: MergeIo, log: Logger): Promise<number> {
  const out = new NdjsonSink(io.stdout);
  const p = new Propagation({ windowMs: Infinity, maxOpen: MAX_OPEN_GROUPS, maxRemembered: MAX_REMEMBERED });
  const counts = newCounts();
  const print = printer(out, counts, log);
  let failed = false;
  let input: ReadStream | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info('stopping: printing what was read', { signal });
    input?.destroy();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const file of files) {
    if (stopping || out.closed) break;
    const vantage = vantageOfFile(file);
    let bad = 0;
    let n = 0;
    try {
      input = createReadStream(file);
      for await (const item of boundedLines(input)) {
        n++;
        if ('over' in item) {
          tooLong(counts, log, { file, line: n, bytes: item.over });
          continue;
        }
        if (item.line.trim() === '') continue;
        let line: unknown;
        try {
          line = JSON.parse(item.line);
        } catch {
          if (bad++ === 0) log.warn('not a JSON line, skipped', { file, line: n });
          continue;
        }
        const s = sightingOf(line, vantage);
        if (s) {
          const r = p.add(s, 0, undefined);
          counted(r.result, counts, log, s.id);
          print(r.evicted);
        }
        if (out.isBlocked) await out.drained();
      }
    } catch (err) {
      if (!stopping) {
        io.stderr.write(`crawl merge: ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}\n`);
        failed = true;
      }
      continue;
    }
    if (bad > 0) log.warn('lines skipped', { file, bad });
  }
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  print(p.flush());
  await out.flush();
  summary(io, counts);
  return failed ? 1 : 0;
}
