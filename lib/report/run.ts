/** Reading the inputs (files, or stdin for "-") into a Report, one pass, one chunk at a time. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Report } from './aggregate.js';
import { LineSplitter } from '../output/line-splitter.js';
import { MAX_LINE_BYTES } from './read.js';

/** A file that cannot be read: the message is one line for the user. */
export class InputError extends Error {}

/** Checks every named file before reading any (a typo should not cost a long read first). */
export async function checkInputs(files: readonly string[]): Promise<void> {
  for (const f of files) {
    if (f === '-') continue;
    const s = await stat(f).catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`${f}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : (err.code ?? err.message)}`);
    });
    if (s.isDirectory()) throw new InputError(`${f}: is a directory`);
  }
}

async function readInto(report: Report, name: string, input: Readable, maxLineBytes: number): Promise<void> {
  const splitter = new LineSplitter(
    {
      line: (text, n, atEnd) => report.line(text, name, n, atEnd),
      overlong: (n) => report.skip('overlong', name, n),
    },
    maxLineBytes,
  );
  try {
    for await (const chunk of input) splitter.push(chunk as Buffer);
  } catch (err) {
    throw new InputError(`${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  splitter.end();
}

/** Every input in order into one report. `stdin` is read for "-". */
export async function readReport(files: readonly string[], stdin: Readable, maxLineBytes = MAX_LINE_BYTES): Promise<Report> {
  await checkInputs(files);
  const report = new Report();
  for (const f of files) {
    report.files.push(f === '-' ? 'stdin' : f);
    await readInto(report, f === '-' ? 'stdin' : f, f === '-' ? stdin : createReadStream(f), maxLineBytes);
  }
  return report;
}
