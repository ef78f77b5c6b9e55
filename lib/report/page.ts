/** The report as one self-contained HTML page: inline CSS and SVG only, no script, no font, no request. */
import type { Report, SkipReason } from './aggregate.js';
import { SKIP_REASONS } from './aggregate.js';
import { blockCharts, blockFacts } from './block-charts.js';
import { censusCharts, censusFacts } from './census-charts.js';
import type { Cell, Chart } from './chart.js';
import { mempoolCharts, mempoolFacts } from './mempool-charts.js';
import { propagationCharts, propagationFacts } from './propagation-charts.js';
import { toSvg } from './svg.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Nothing may load from anywhere: the page is read offline, and a request would be a leak. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS = `
body { font: 15px/1.45 sans-serif; color: #1b1b1b; margin: 0 auto; max-width: 1200px; padding: 1em 1.5em; }
h1 { font-size: 1.6em; margin: 0.2em 0; } h2 { border-bottom: 2px solid #ddd; margin-top: 1.6em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; } dt { font-weight: bold; } dd { margin: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
figure { margin: 0; border: 1px solid #e3e3e3; border-radius: 6px; padding: 0.6em; }
figcaption { font-size: 0.9em; color: #444; max-width: 600px; }
table { border-collapse: collapse; font-size: 0.85em; margin-top: 0.4em; } td, th { border: 1px solid #ddd; padding: 0.15em 0.5em; text-align: left; }
details summary { cursor: pointer; font-size: 0.9em; }
.empty { font-style: italic; }
`;

function table(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const head = `<tr>${columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('');
  return `<table>${head}${body}</table>`;
}

async function figure(chart: Chart, id: string): Promise<string> {
  const svg = await toSvg(chart);
  return [
    `<figure class="chart" id="${id}" aria-labelledby="${id}-caption">`,
    svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(`${chart.title}. ${chart.description}`)}" `),
    `<figcaption id="${id}-caption"><strong>${escapeHtml(chart.title)}</strong>: ${escapeHtml(chart.description)}</figcaption>`,
    `<details><summary>The numbers</summary>${table(chart.columns, chart.rows)}</details>`,
    '</figure>',
  ].join('\n');
}

async function section(id: string, title: string, facts: readonly string[], charts: readonly Chart[]): Promise<string> {
  const figures: string[] = [];
  for (const [i, c] of charts.entries()) figures.push(await figure(c, `${id}-${i + 1}`));
  return [
    `<section id="${id}" aria-labelledby="${id}-title">`,
    `<h2 id="${id}-title">${escapeHtml(title)}</h2>`,
    `<ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`,
    charts.length === 0 ? '<p class="empty">Nothing here to chart.</p>' : `<div class="charts">${figures.join('\n')}</div>`,
    '</section>',
  ].join('\n');
}

function iso(t: number): string {
  return new Date(Math.round(t * 1000)).toISOString();
}

function header(r: Report): string {
  const kinds = [...r.kinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const skipped = SKIP_REASONS.filter((s: SkipReason) => (r.skipped.get(s) ?? 0) > 0).map((s) => `${s} ${r.skipped.get(s)}`);
  const named = r.firstSkipped.map((s) => `${s.file}:${s.line} (${s.reason})`);
  const unknown = r.unknownKinds.top(10).map(([k, n]) => `"${k}" ${n}`);
  const rows: Array<[string, string]> = [
    ['Files', r.files.join(', ')],
    ['Lines', `${r.lines} read; by kind: ${kinds}`],
    ['Time span', r.firstTime <= r.lastTime ? `${iso(r.firstTime)} to ${iso(r.lastTime)} (${((r.lastTime - r.firstTime) / 3600).toFixed(2)} h)` : 'none'],
    ['Networks', r.census.networks.top(Infinity).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'],
    ['Vantages', r.vantages.top(Infinity).map(([k]) => k).join(', ') || 'none'],
    ['Lines skipped', skipped.length === 0 ? '0' : `${r.skippedTotal}: ${skipped.join(', ')}${named.length > 0 ? `; first: ${named.join(', ')}` : ''}${unknown.length > 0 ? `; unknown kinds: ${unknown.join(', ')}` : ''}`],
  ];
  return [
    '<header id="header">',
    '<h1>bitcrawl report</h1>',
    `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`,
    '</header>',
  ].join('\n');
}

/** The whole page for a finished report. */
export async function renderPage(r: Report): Promise<string> {
  const sections: string[] = [];
  if (r.count('peer') > 0) sections.push(await section('census', 'Census', censusFacts(r.census), censusCharts(r.census)));
  if (r.propagation.items > 0) sections.push(await section('propagation', 'Propagation', propagationFacts(r.propagation), propagationCharts(r.propagation)));
  if (r.count('mempool', 'replaced', 'confirmed', 'evicted') > 0) sections.push(await section('mempool', 'Mempool', mempoolFacts(r.mempool), mempoolCharts(r.mempool)));
  if (r.count('block', 'reorg') > 0) sections.push(await section('blocks', 'Blocks', blockFacts(r.blocks), blockCharts(r.blocks)));
  if (sections.length === 0) {
    const why = r.lines === 0 ? 'The input was empty: no lines to report on.' : 'No census, propagation, mempool or block lines were found in the input.';
    sections.push(`<p class="empty" id="empty">${why}</p>`);
  }
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>bitcrawl report</title>',
    `<style>${CSS}</style>`,
    '</head><body>',
    header(r),
    '<main>',
    ...sections,
    '</main>',
    '</body></html>',
    '',
  ].join('\n');
}
