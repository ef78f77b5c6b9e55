/** `crawl report FILE…`: saved lines → one self-contained HTML page of charts. */
import { writeFile } from 'node:fs/promises';
import { UsageError } from '../crawler/options.js';
import type { Io } from '../output/io.js';
import { renderPage } from '../report/page.js';
import { InputError, readReport } from '../report/run.js';
import { EXIT } from './exit.js';
import type { Args } from './parse.js';

export async function reportCommand(args: Args, io: Io): Promise<number> {
  const files = args.positionals;
  if (files.length === 0) throw new UsageError('crawl report needs NDJSON files to read (- for stdin)');
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('crawl report reads stdin (-) once');
  const out = args.str('output');
  try {
    const report = await readReport(files, io.stdin);
    const html = await renderPage(report);
    if (out === undefined || out === '-') io.stdout.write(html);
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
    if (out !== undefined && typeof code === 'string') {
      io.stderr.write(`crawl: report: cannot write ${out}: ${code}\n`);
      return EXIT.BAD_INPUT;
    }
    throw err;
  }
}
