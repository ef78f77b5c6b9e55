/**
 * The README's pictures of `crawl report`: synthetic lines (spec/support/report-lines.ts) → the real
 * `crawl report` → headless chromium → one small PNG per section's first charts, in docs/.
 *
 *   npm run build && node --import tsx scripts/report-pictures.ts [N]      (default 20,000 lines)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser } from '../spec/support/chromium.js';
import { runCrawl } from '../spec/support/crawl-process.js';
import { generate } from '../spec/support/report-lines.js';

const N = Number(process.argv[2] ?? 20_000);
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
/** Each picture: a section's figures shown, at half size. */
const PICTURES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['census', [1, 3, 4, 6]],
  ['propagation', [1, 2, 3, 4]],
  ['mempool', [1, 3, 4, 5]],
];
const SCALE = 0.5;

const dir = mkdtempSync(join(tmpdir(), 'bitcrawl-pictures-'));
const b = await Browser.open();
try {
  await generate(join(dir, 'lines.ndjson'), N);
  const html = join(dir, 'report.html');
  const r = await runCrawl(['report', join(dir, 'lines.ndjson'), '-o', html]);
  if (r.code !== 0) throw new Error(r.stderr);
  mkdirSync(DOCS, { recursive: true });
  for (const [section, shown] of PICTURES) {
    await b.goto(`file://${html}`);
    // Only the chosen figures, without their captions' "numbers" tables: a small picture.
    await b.evaluate(`(() => {
      document.querySelectorAll('main > :not(#${section}), header, details').forEach((e) => e.remove());
      document.querySelectorAll('#${section} figure').forEach((f, i) => { if (!${JSON.stringify(shown)}.includes(i + 1)) f.remove(); });
      return 0;
    })()`);
    const png = await b.screenshot(`#${section}`, SCALE);
    writeFileSync(join(DOCS, `report-${section}.png`), png);
    console.log(`docs/report-${section}.png: ${png.length} bytes`);
  }
  if (b.errors.length > 0) throw new Error(`console errors: ${b.errors.join('; ')}`);
} finally {
  await b.close();
  rmSync(dir, { recursive: true, force: true });
}
