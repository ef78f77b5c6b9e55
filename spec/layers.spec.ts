/**
 * Imports point down the layer list (ARCHITECTURE.md, Layers): a file in lib/ imports only from its
 * own folder or from a folder below it, every file lives in one of the listed folders, nothing in
 * lib/ reaches out of it, and no files import each other in a circle. Read with TypeScript's own import scanner, so `import type`, re-exports
 * and dynamic `import()` count, and comments and strings do not.
 *
 * Tests and benchmarks share one home, spec/support/: no test imports scripts/, a script imports
 * from spec/ only spec/support/, and spec/support/ imports no test area (here a file a script names
 * with `new URL('…', import.meta.url)` counts as well).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * lib/'s folders, top first. lib/pool (the connection pool: dials within limits, descriptors, handshake slots, redials) sits under lib/crawler, which composes it with the rooms. lib/report (saved lines → an HTML page of charts) is used by cli only. lib/merge (vantages → propagation lines) is used by cli and uses
 * output and crawler; lib/log (the logger) has no Bitcoin in it and is used by many, so it is last.
 */
const LAYERS = ['cli', 'report', 'merge', 'crawler', 'pool', 'chain', 'output', 'mempool', 'peer', 'transport', 'net', 'tx', 'wire', 'log'] as const;

/** The layer of a repository path ('lib/wire/codecs/tx.ts' → 'wire'); undefined outside the listed folders. */
function layerOf(path: string): number | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'lib' || parts.length < 3) return undefined;
  const i = (LAYERS as readonly string[]).indexOf(parts[1]);
  return i < 0 ? undefined : i;
}

/** The relative specifiers a source imports or re-exports; package imports are not ours to layer. */
function relativeImports(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((s) => s.startsWith('.'));
}

/** The repository path a relative specifier names, as its .ts source ('../wire/hex.js' → 'lib/wire/hex.ts'). */
function resolveImport(from: string, specifier: string): string {
  return posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

/** What is wrong with `from` importing `target` (both repository paths), or undefined when it points down or across. */
function checkImport(from: string, target: string): string | undefined {
  const a = layerOf(from);
  if (a === undefined) return `${from} is in no layer of the list`;
  if (!target.startsWith('lib/')) return 'reaches out of lib/';
  const b = layerOf(target);
  if (b === undefined) return `${target} is in no layer of the list`;
  if (b < a) return `points up: ${LAYERS[a]} → ${LAYERS[b]}`;
  return undefined;
}

/** Every offending import in the given files, as "file imports 'specifier': reason". */
function violations(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of files) {
    if (layerOf(file) === undefined) {
      found.push(`${file} is in no layer of the list`);
      continue;
    }
    for (const specifier of relativeImports(source)) {
      const reason = checkImport(file, resolveImport(file, specifier));
      if (reason !== undefined) found.push(`${file} imports '${specifier}': ${reason}`);
    }
  }
  return found;
}

/** Every import cycle among lib/'s files, each as "a → b → … → a" (a depth-first walk: a file met again while still open closes a cycle). */
function cycles(files: ReadonlyMap<string, string>): string[] {
  const edges = new Map<string, string[]>();
  for (const [file, source] of files) {
    edges.set(file, relativeImports(source).map((s) => resolveImport(file, s)).filter((t) => files.has(t)));
  }
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of edges.get(file) ?? []) {
      const s = state.get(next);
      if (s === 'open') found.push([...path.slice(path.indexOf(next)), next].join(' → '));
      else if (s === undefined) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...files.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

/** The relative paths a source names with `new URL('…', import.meta.url)` (files it runs or preloads). */
function urlReferences(source: string): string[] {
  return [...source.matchAll(/new URL\((['"`])(\.[^'"`]*)\1,\s*import\.meta\.url\)/g)].map((m) => m[2]);
}

/** What is wrong with `from` (under spec/ or scripts/) referring to `target` (repository paths), or undefined. */
function checkSupport(from: string, target: string): string | undefined {
  const top = (p: string): string => p.split('/')[0];
  if (top(from) === 'spec' && top(target) === 'scripts') return 'a test imports a script: move what both need to spec/support/';
  if (top(from) === 'scripts' && top(target) === 'spec' && !target.startsWith('spec/support/')) return 'a script reaches into spec/ outside spec/support/';
  if (from.startsWith('spec/support/') && top(target) === 'spec' && !target.startsWith('spec/support/') && !target.startsWith('spec/fixtures/')) {
    return 'spec/support/ imports a test area';
  }
  return undefined;
}

/** Every offending reference among files under spec/ and scripts/, as "file refers to 'specifier': reason". */
function supportViolations(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of files) {
    for (const specifier of [...relativeImports(source), ...urlReferences(source)]) {
      const reason = checkSupport(file, posix.normalize(posix.join(posix.dirname(file), specifier)));
      if (reason !== undefined) found.push(`${file} refers to '${specifier}': ${reason}`);
    }
  }
  return found;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The .ts files under the given top folders, by repository path. */
function sources(...tops: string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const top of tops) {
    for (const entry of readdirSync(posix.join(ROOT, top), { recursive: true, encoding: 'utf8' })) {
      const path = posix.join(top, entry.split('\\').join('/'));
      if (path.endsWith('.ts')) files.set(path, readFileSync(posix.join(ROOT, path), 'utf8'));
    }
  }
  return files;
}

const libSources = (): Map<string, string> => sources('lib');

describe('layers', () => {
  it('every import in lib/ points down the layer list', () => {
    const files = libSources();
    // The walk found the tree, not an empty folder: some files in the top and the bottom layer.
    expect([...files.keys()].some((f) => f.startsWith('lib/cli/'))).toBe(true);
    expect([...files.keys()].some((f) => f.startsWith('lib/wire/codecs/'))).toBe(true);
    expect(violations(files)).toEqual([]);
  });

  it('has no import cycle among lib/\'s files', () => {
    expect(cycles(libSources())).toEqual([]);
  });

  it('tests and scripts share only spec/support/: no test imports scripts/, no script imports spec/ elsewhere', () => {
    const files = sources('spec', 'scripts');
    expect([...files.keys()].some((f) => f.startsWith('spec/support/'))).toBe(true);
    expect([...files.keys()].some((f) => f.startsWith('scripts/bench-'))).toBe(true);
    expect(supportViolations(files)).toEqual([]);
  });

  describe('the checker, on made-up files', () => {
    it('finds import type, re-exports and import(), not comments or strings', () => {
      const source = [
        "// import { no } from '../cli/comment.js';",
        "import type { A } from '../tx/a.js';",
        "export { b } from './b.js';",
        "export * from '../wire/c.js';",
        "const d = await import('../net/d.js');",
        "import winston from 'winston';",
        "const s = \"from '../cli/string.js'\";",
      ].join('\n');
      expect(relativeImports(source)).toEqual(['../tx/a.js', './b.js', '../wire/c.js', '../net/d.js']);
    });

    it('resolves specifiers from the importing file', () => {
      expect(resolveImport('lib/wire/codecs/tx.ts', '../../tx/types.js')).toBe('lib/tx/types.ts');
      expect(resolveImport('lib/peer/x.ts', './y.js')).toBe('lib/peer/y.ts');
    });

    it('accepts imports down and across, refuses imports up', () => {
      expect(checkImport('lib/tx/block.ts', 'lib/wire/model.ts')).toBeUndefined();
      expect(checkImport('lib/wire/codecs/tx.ts', 'lib/wire/transaction.ts')).toBeUndefined();
      expect(checkImport('lib/cli/crawl.ts', 'lib/log/logger.ts')).toBeUndefined();
      expect(checkImport('lib/wire/codecs/tx.ts', 'lib/tx/transaction.ts')).toBe('points up: wire → tx');
      expect(checkImport('lib/output/lines.ts', 'lib/crawler/inventory.ts')).toBe('points up: output → crawler');
      expect(checkImport('lib/crawler/session.ts', 'lib/merge/bus.ts')).toBe('points up: crawler → merge');
    });

    it('refuses top-level lib files, unlisted folders and paths out of lib/', () => {
      expect(checkImport('lib/peer/connect.ts', 'lib/log.ts')).toBe('lib/log.ts is in no layer of the list');
      expect(checkImport('lib/peer/connect.ts', 'lib/util/x.ts')).toBe('lib/util/x.ts is in no layer of the list');
      expect(checkImport('lib/peer/connect.ts', 'spec/helpers/x.ts')).toBe('reaches out of lib/');
      expect(checkImport('lib/x.ts', 'lib/wire/hex.ts')).toBe('lib/x.ts is in no layer of the list');
    });

    it('finds a cycle, also through a type import, and nothing in a tree', () => {
      const circle = new Map([
        ['lib/crawler/a.ts', "import { b } from './b.js';"],
        ['lib/crawler/b.ts', "import type { C } from './c.js';"],
        ['lib/crawler/c.ts', "import { a } from './a.js';\nimport { x } from '../wire/x.js';"],
        ['lib/wire/x.ts', ''],
      ]);
      expect(cycles(circle)).toEqual(['lib/crawler/a.ts → lib/crawler/b.ts → lib/crawler/c.ts → lib/crawler/a.ts']);
      circle.set('lib/crawler/c.ts', "import { x } from '../wire/x.js';");
      expect(cycles(circle)).toEqual([]);
    });

    it('keeps tests and scripts apart but for spec/support/, imports and new URL() alike', () => {
      const files = new Map([
        ['spec/e2e/x.spec.ts', "import { startCore } from '../../scripts/core.js';\nimport { until } from '../support/harness.js';"],
        ['scripts/bench-x.ts', "import { CRAWL_BIN } from '../spec/support/crawl-process.js';\nimport { txs } from '../spec/helpers/txs.js';\nconst p = new URL('../spec/hostile/peak.cjs', import.meta.url);"],
        ['spec/support/y.ts', "import { z } from '../hostile/harness.js';\nimport { w } from './w.js';\nconst v = new URL('../fixtures/vectors/', import.meta.url);"],
        ['scripts/network/sim.ts', "import { s } from '../../spec/support/network/stream.js';\nimport { r } from './report.js';"],
      ]);
      expect(supportViolations(files)).toEqual([
        "spec/e2e/x.spec.ts refers to '../../scripts/core.js': a test imports a script: move what both need to spec/support/",
        "scripts/bench-x.ts refers to '../spec/helpers/txs.js': a script reaches into spec/ outside spec/support/",
        "scripts/bench-x.ts refers to '../spec/hostile/peak.cjs': a script reaches into spec/ outside spec/support/",
        "spec/support/y.ts refers to '../hostile/harness.js': spec/support/ imports a test area",
      ]);
    });

    it('names each file and import that points up', () => {
      const files = new Map([
        ['lib/wire/messages.ts', "import type { DecodedTx } from '../tx/types.js';\nimport { x } from './hex.js';"],
        ['lib/tx/view.ts', "import { toHex } from '../wire/hex.js';"],
        ['lib/extra.ts', "import { y } from './wire/hex.js';"],
      ]);
      expect(violations(files)).toEqual([
        "lib/wire/messages.ts imports '../tx/types.js': points up: wire → tx",
        'lib/extra.ts is in no layer of the list',
      ]);
    });
  });
});
