/** The README's flag table, --help and the parser's option table say the same. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPTIONS, optionsOf } from '../../lib/cli/options.js';
import { helpText } from '../../lib/cli/help.js';
import { parseArgs } from '../../lib/cli/parse.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const flagsAt = README.indexOf('\n## Flags\n');
const table = README.slice(flagsAt, README.indexOf('\n## ', flagsAt + 1))
  .split('\n')
  .filter((l) => l.startsWith('| `-'));

interface Row {
  readonly names: string[];
  readonly aliases: string[];
  readonly defaultCell: string;
}

const rows: Row[] = table.map((line) => {
  const [flagCell, defaultCell] = line.split(/(?<!\\)\|/).slice(1).map((c) => c.trim());
  const names = [...flagCell.matchAll(/(?<![\w-])--(?:no-)?([a-z][a-z0-9-]*)/g)].map((m) => m[1]);
  const aliases = [...flagCell.matchAll(/(?<![\w-])-([a-zA-Z])(?![\w-])/g)].map((m) => m[1]);
  return { names: [...new Set(names)], aliases, defaultCell };
});

describe('README flag table', () => {
  it('names every flag of the parser, and no other', () => {
    expect(rows.flatMap((r) => r.names).sort()).toEqual(OPTIONS.map((o) => o.name).sort());
  });

  it('gives each short flag to the flag the parser gives it to', () => {
    for (const r of rows) {
      for (const a of r.aliases) expect(OPTIONS.find((o) => o.alias === a)?.name, `-${a}`).toBe(r.names[0]);
    }
    for (const o of OPTIONS.filter((o) => o.alias)) expect(rows.find((r) => r.names.includes(o.name))?.aliases, o.name).toContain(o.alias);
  });

  it('shows the default the parser uses', () => {
    for (const o of OPTIONS) {
      const row = rows.find((r) => r.names.includes(o.name))!;
      if (o.kind === 'number' && o.default !== undefined) expect(row.defaultCell, o.name).toMatch(new RegExp(`^${o.default}\\b`));
      if ((o.kind === 'choice' || o.kind === 'string') && o.default !== undefined) expect(row.defaultCell, o.name).toBe(`\`${String(o.default)}\``);
      if (o.kind === 'boolean' && o.default === false && o.env !== false) expect(row.defaultCell, o.name).toMatch(/^off/);
      // What the README calls the default is what parsing nothing gives.
      if (o.default !== undefined && o.commands.includes('crawl') && o.kind !== 'boolean') {
        const a = parseArgs([], {});
        expect(o.kind === 'number' ? a.num(o.name) : a.str(o.name), o.name).toBe(o.default);
      }
    }
  });
});

describe('--help', () => {
  it('lists every flag of its command, the exit statuses, the CRAWL_* note and three examples', async () => {
    for (const command of ['crawl', 'decode'] as const) {
      const help = await helpText(command, 100);
      for (const o of optionsOf(command)) expect(help, o.name).toContain(`--${o.name}`);
      for (const o of OPTIONS.filter((o) => !o.commands.includes(command))) expect(help, o.name).not.toContain(`--${o.name} `);
      expect(help).toMatch(/Exit statuses/);
      expect(help).toContain('CRAWL_<FLAG>');
      // Every CRAWL_* variable it names is one of this command's flags.
      for (const [, name] of help.matchAll(/CRAWL_(?:NO_)?([A-Z_]+)=/g)) {
        expect(optionsOf(command).map((o) => o.name), `CRAWL_${name} in ${command} --help`).toContain(name.toLowerCase().replace(/_/g, '-'));
      }
      const examples = help.slice(help.indexOf('Examples:'), help.indexOf('Environment:')).split('\n').filter((l) => /^ {2}\S/.test(l));
      expect(examples, command).toHaveLength(3);
    }
    const crawl = await helpText('crawl', 100);
    for (const status of ['0', '1', '2', '3']) expect(crawl).toMatch(new RegExp(`^ {2}${status} {2}\\S`, 'm'));
  });
});
