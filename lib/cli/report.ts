/** `crawl report FILE…`: saved lines → one self-contained HTML page of charts. */
import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { UsageError } from '../crawler/options.js';
import type { Io } from '../output/io.js';
import { renderPage } from '../report/page.js';
import { InputError, readReport } from '../report/run.js';
import { EXIT } from './exit.js';
import type { Args } from './parse.js';

/**
 * Writes the page to stdout; a reader that closed early (EPIPE, as with `| head`) is a normal end,
 * as for the crawl's lines (lib/output/ndjson.ts). The error listener stays: the stream may report
 * the same error again after the write's callback.
 */
function writeOut(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: NodeJS.ErrnoException | null | undefined): void => {
      if (!err || err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') resolve();
      else reject(err);
    };
    out.on('error', done);
    out.write(text, done);
  });
}

export async function reportCommand(args: Args, io: Io): Promise<number> {
  const files = args.positionals;
  if (files.length === 0) throw new UsageError('crawl report needs NDJSON files to read (- for stdin)');
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('crawl report reads stdin (-) once');
  const out = args.str('output');
  try {
    const report = await readReport(files, io.stdin);
    const html = await renderPage(report);
    if (out === undefined || out === '-') await writeOut(io.stdout, html);
    else await writeFile(out, html);
    const skipped = report.skippedTotal;
    io.stderr.write(`crawl: report: ${report.lines} lines read${skipped > 0 ? `, ${skipped} skipped` : ''}${out === undefined || out === '-' ? '' : `; written to ${out}`}\n`);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`crawl: report: ${err.message}\n`);
      return EXIT.BAD_INPUT;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (out !== undefined && out !== '-' && typeof code === 'string') {
      io.stderr.write(`crawl: report: cannot write ${out}: ${code}\n`);
      return EXIT.BAD_INPUT;
    }
    throw err;
  }
}
