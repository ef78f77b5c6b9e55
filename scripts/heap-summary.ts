/**
 * A V8 heap snapshot (.heapsnapshot, e.g. from bench-network's BENCH_HEAP_SNAPSHOT) summed by
 * constructor: the objects' own sizes and counts, largest first. With two snapshots of K1 and K2
 * peers, the difference divided by K1 − K2: the bytes and objects one peer costs, by kind.
 *
 *   node --import tsx scripts/heap-summary.ts A.heapsnapshot [K1 B.heapsnapshot K2] [--top N]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

interface Sum {
  bytes: number;
  count: number;
}

/** Own size and count by "type:name" (objects by constructor; strings, code, arrays by type). */
function summarize(file: string): Map<string, Sum> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, Sum>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]];
    const key = type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + iName]]}` : type;
    const s = out.get(key) ?? { bytes: 0, count: 0 };
    s.bytes += snap.nodes[i + iSize];
    s.count++;
    out.set(key, s);
  }
  return out;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 40;
const files = topAt >= 0 ? args.slice(0, topAt) : args;
const a = summarize(files[0]);
const total = (m: Map<string, Sum>): number => [...m.values()].reduce((x, s) => x + s.bytes, 0);
if (files.length === 1) {
  console.log(`${files[0]}: ${(total(a) / 1e6).toFixed(1)} MB in objects' own sizes`);
  for (const [k, s] of [...a].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, top)) console.log(`${(s.bytes / 1e6).toFixed(2).padStart(9)} MB ${String(s.count).padStart(9)}  ${k}`);
} else {
  const k1 = Number(files[1]);
  const b = summarize(files[2]);
  const k2 = Number(files[3]);
  const per = k1 - k2;
  console.log(`a peer: ${((total(a) - total(b)) / per / 1000).toFixed(2)} kB (own sizes; ${k1} peers vs ${k2})`);
  const keys = new Set([...a.keys(), ...b.keys()]);
  const rows = [...keys].map((k) => {
    const x = a.get(k) ?? { bytes: 0, count: 0 };
    const y = b.get(k) ?? { bytes: 0, count: 0 };
    return { k, bytes: (x.bytes - y.bytes) / per, count: (x.count - y.count) / per };
  });
  for (const r of rows.sort((x, y) => y.bytes - x.bytes).slice(0, top)) console.log(`${r.bytes.toFixed(0).padStart(7)} B ${r.count.toFixed(2).padStart(7)}  ${r.k}`);
}
