/**
 * The hostile-peer harness: bad scripted peers next to a well-behaved one, all on 127.0.0.1,
 * against the real `crawl` command. The good peer announces only once every bad peer has done its
 * worst, so its transactions prove the crawler survived it.
 */
import { expect } from 'vitest';
import { toReversedHex } from '../../lib/wire/hex.js';
import type { JsonLine } from '../support/crawl-process.js';
import type { CrawlFixtures } from '../support/fixtures.js';
import type { ScriptedConnection } from '../support/scripted-peer.js';
import { servingPeer } from '../support/scripted-peer.js';
import { distinctTxs } from '../support/txs.js';

/** "Promptly": a bad peer is gone within this, whatever it did (timeouts are set short). */
export const PROMPT_DROP_MS = 10_000;

export interface BadPeer {
  readonly name: string;
  /** What it does once connected; resolves when it has done it. */
  readonly act: (c: ScriptedConnection) => Promise<void>;
  /** The drop reason expected, or 'kept' where Core ignores the behaviour and so do we. */
  readonly expect: string;
}

export interface Outcome {
  readonly lines: JsonLine[];
  readonly dropped: Map<string, JsonLine>;
}

/** Runs the bad peers and a good one under one crawler; checks the good one's txs come once each. */
export async function withBadPeers(fx: CrawlFixtures, bad: readonly BadPeer[], extraArgs: readonly string[] = []): Promise<Outcome> {
  const done: Promise<void>[] = [];
  const addresses: string[] = [];
  for (const b of bad) {
    let finished!: () => void;
    done.push(new Promise<void>((r) => (finished = r)));
    const p = await fx.listen(async (c) => {
      try {
        await b.act(c);
      } finally {
        finished();
      }
    });
    addresses.push(p.address);
  }
  const txs = distinctTxs(3);
  const good = servingPeer(txs, { announceAfter: Promise.all(done) });
  const pg = await fx.listen(good.script);
  const started = Date.now();
  const c = fx.crawl('--peers', [...addresses, pg.address].join(','), '--emit', 'tx,peer', '--no-reconnect', ...extraArgs);
  for (const t of txs) await c.waitLine((l) => l.event === 'tx' && l.txid === toReversedHex(t.txid), `good tx ${toReversedHex(t.txid)}`, 30_000);
  const dropped = new Map<string, JsonLine>();
  for (const [i, b] of bad.entries()) {
    const address = addresses[i];
    if (b.expect === 'kept') continue;
    const down = await c.waitLine((l) => l.event === 'peer' && l.state === 'down' && l.peer === address, `${b.name} dropped`, PROMPT_DROP_MS);
    expect({ peer: b.name, reason: down.reason }).toEqual({ peer: b.name, reason: b.expect });
    expect((down.time as number) * 1000 - started).toBeLessThan(PROMPT_DROP_MS);
    dropped.set(b.name, down);
  }
  // Kept peers were never dropped; every good transaction printed exactly once; still running.
  for (const [i, b] of bad.entries()) {
    if (b.expect === 'kept') expect(c.lines.all.some((l) => l.event === 'peer' && l.state === 'down' && l.peer === addresses[i])).toBe(false);
  }
  for (const t of txs) expect(c.txLines().filter((l) => l.txid === toReversedHex(t.txid))).toHaveLength(1);
  expect(c.child.exitCode).toBe(null);
  return { lines: c.lines.all, dropped };
}
