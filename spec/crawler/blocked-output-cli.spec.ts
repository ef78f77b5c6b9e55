/**
 * Stdout blocked (a paused reader) while peers send transactions: the output buffer holds what was
 * asked before, within MAX_OUTPUT_BUFFER_BYTES; nothing pushed unasked goes in; nothing is lost.
 */
import { describe, expect, it } from 'vitest';
import { encodeTx, decodeTx } from '../../lib/wire/transaction.js';
import { toHex, toReversedHex } from '../../lib/wire/hex.js';
import { InvType } from '../../lib/wire/messages.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { crawlFixtures } from '../support/fixtures.js';
import { coreHandshake, type ScriptedConnection } from '../support/scripted-peer.js';
import { distinctTxs, typicalTxs } from '../support/txs.js';
import { MB, peakRssBytes, rssBytes } from '../support/memory.js';
import type { CrawlProcess } from '../support/crawl-process.js';

const fx = crawlFixtures();

/**
 * RELIABILITY.md: what the crawler's resident memory may grow by while its reader is blocked and
 * a peer pushes what it announced (nothing of it is taken in), or while in-flight transactions
 * fill the output buffer (MAX_OUTPUT_BUFFER_BYTES, 32 MiB, then refused and asked again later).
 */
const BLOCKED_GROWTH_BOUND = 100 * MB;

/** n distinct transactions each with an output script that is one push of `scriptBytes`. */
function bigTxs(n: number, scriptBytes: number): DecodedTx[] {
  const script = new Uint8Array(5 + scriptBytes);
  script[0] = 0x4e; // OP_PUSHDATA4
  new DataView(script.buffer).setUint32(1, scriptBytes, true);
  const base = typicalTxs()[0];
  const big = decodeTx(encodeTx({ ...base, outputs: [{ value: 1n, script }] }));
  return distinctTxs(n, [big]);
}

interface Peer {
  readonly script: (c: ScriptedConnection) => Promise<void>;
  /** Resolves once the crawler has handled everything sent before (a ping answered). */
  settled(): Promise<void>;
  /** Resolves once a getdata has been served. */
  readonly served: Promise<void>;
}

/**
 * Announces `first` by wtxid and serves every getdata (again when asked again); once `later` is
 * given, announces `pushed` and sends each of them right after its inv, unasked.
 */
function peer(first: readonly DecodedTx[], pushed: readonly DecodedTx[] = [], later: Promise<void> = new Promise(() => {})): Peer {
  const byWtxid = new Map([...first, ...pushed].map((t) => [toHex(t.wtxid), t]));
  let conn: ScriptedConnection | undefined;
  let connected!: () => void;
  const ready = new Promise<void>((r) => (connected = r));
  let nonce = 100n;
  const pongs = new Map<bigint, () => void>();
  let onServed!: () => void;
  const served = new Promise<void>((r) => (onServed = r));
  const inv = (txs: readonly DecodedTx[]) => ({ command: 'inv' as const, items: txs.map((t) => ({ type: InvType.WTX, hash: t.wtxid })) });
  return {
    async script(c) {
      await coreHandshake(c);
      conn = c;
      connected();
      c.send(inv(first));
      void later.then(() => {
        for (let i = 0; i < pushed.length; i += 1_000) {
          const batch = pushed.slice(i, i + 1_000);
          c.send(inv(batch));
          for (const tx of batch) c.send({ command: 'tx', tx });
        }
      });
      for (;;) {
        const m = await c.next();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        if (m.command === 'pong') pongs.get(m.nonce)?.();
        if (m.command !== 'getdata') continue;
        for (const item of m.items) {
          const tx = byWtxid.get(toHex(item.hash));
          if (tx) c.send({ command: 'tx', tx });
        }
        onServed();
      }
    },
    served,
    async settled() {
      await ready;
      const n = ++nonce;
      const answered = new Promise<void>((r) => pongs.set(n, r));
      conn?.send({ command: 'ping', nonce: n });
      await answered;
    },
  };
}

/** Every one of `txs` printed exactly once, once the reader is back. */
async function allPrintedOnce(c: CrawlProcess, txs: readonly DecodedTx[]): Promise<void> {
  c.child.stdout.resume();
  for (const t of txs) await c.waitLine((l) => l.event === 'tx' && l.txid === toReversedHex(t.txid), 'every tx', 60_000);
  const ids = c.txLines().map((l) => l.txid);
  expect(ids).toHaveLength(txs.length);
  expect(new Set(ids).size).toBe(txs.length);
}

describe('stdout blocked', () => {
  it('takes in nothing a peer pushes unasked, even what it announced, and fetches it afterwards', async () => {
    const fillers = distinctTxs(300);
    const pushed = bigTxs(2_000, 20_000);
    let push!: () => void;
    const p = peer(fillers, pushed, new Promise((r) => (push = r)));
    const listening = await fx.listen(p.script);
    const c = fx.crawl('--peers', listening.address, '--log-level', 'debug');
    c.child.stdout.pause(); // a paused `jq`
    await c.waitLog(/stdout blocked: holding getdata/);
    await p.settled();
    const before = rssBytes(c.child.pid!);
    push();
    await p.settled();
    // 2,000 announced and pushed, 40 MB on the wire, ~80 MB of output lines: none taken in.
    expect(peakRssBytes(c.child.pid!) - before).toBeLessThan(BLOCKED_GROWTH_BOUND);
    await allPrintedOnce(c, [...fillers, ...pushed]);
  }, 120_000);

  it('refuses deliveries past MAX_OUTPUT_BUFFER_BYTES of unread output, and asks for them again once the reader is back', async () => {
    // 100 in flight × a 300 kB script: ~120 MB of output lines, asked for before stdout blocked.
    const txs = bigTxs(100, 300_000);
    const p = peer(txs);
    const listening = await fx.listen(p.script);
    const c = fx.crawl('--peers', listening.address);
    c.child.stdout.pause();
    await p.settled();
    const before = rssBytes(c.child.pid!);
    await p.served;
    await p.settled();
    expect(peakRssBytes(c.child.pid!) - before).toBeLessThan(BLOCKED_GROWTH_BOUND);
    await c.waitLog(/output buffer full/);
    await allPrintedOnce(c, txs);
    await c.waitLog(/asking again for what the full output buffer refused/);
  }, 120_000);
});
