/**
 * Fuzzes the decoders (the targets live in spec/support/fuzz.ts): wire, random and mutated frames
 * through the Framer and every decoder; v2, BIP 324 sessions fed random and mutated streams.
 * A failing case is printed as hex and the run exits 1.
 *
 *   npm run fuzz                             (both: wire 1,000,000 cases, then v2 50,000)
 *   npm run fuzz -- [wire|v2] [cases] [seed] (one target; cases and seed as before)
 * v2 runs fewer cases by default: each one costs an ECDH (~3 ms), the wire target's ~16 µs.
 */
import { fuzz, fuzzV2 } from '../spec/support/fuzz.js';

const fmt = (n: number): string => Math.round(n).toLocaleString('en');

const args = process.argv.slice(2);
const isTarget = (a: string): boolean => a === 'wire' || a === 'v2';
const named = args.filter(isTarget);
const [casesArg, seedArg] = args.filter((a) => !isTarget(a));
const seed = Number(seedArg ?? Date.now() % 0xffffffff);
try {
  if (named.length === 0 || named.includes('wire')) {
    const r = fuzz(Number(casesArg ?? 1_000_000), seed);
    console.log(
      `fuzz wire: ${fmt(r.cases)} cases (seed ${seed}) in ${r.seconds.toFixed(1)} s, ${fmt(r.cases / r.seconds)} cases/s: ` +
        `${fmt(r.decoded)} decoded, ${fmt(r.refused)} refused with a typed error, nothing else escaped`,
    );
  }
  if (named.length === 0 || named.includes('v2')) {
    const r = fuzzV2(Number(casesArg ?? 50_000), seed);
    const refused = Object.entries(r.refused).map(([reason, n]) => `${reason} ${fmt(n)}`);
    console.log(
      `fuzz v2: ${fmt(r.cases)} cases (seed ${seed}; ${fmt(r.responder)} to a responder, ${fmt(r.initiator)} to an initiator) in ${r.seconds.toFixed(1)} s, ` +
        `${fmt(r.cases / r.seconds)} cases/s: ${fmt(r.complete)} complete, ${fmt(r.partial)} cut short, V2Error: ${refused.join(', ')}; ` +
        `${fmt(r.outputs)} outputs, all as the unaltered stream gives them; nothing else escaped`,
    );
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
