/**
 * --rpc with a node that accepts the start-up check and then never answers, or answers with an
 * error: through the real `crawl` command, a scripted P2P peer and a scripted JSON-RPC server on
 * loopback. A line never waits for Core longer than --rpc-timeout: it is printed without `fee`; the
 * failure is logged once, not once per transaction. And with one that answers: a replacement's
 * `replaced` line waits for its fee with it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { toReversedHex } from '../../lib/wire/hex.js';
import { InvType } from '../../lib/wire/messages.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { isCoinbase } from '../../lib/tx/pow.js';
import { coreHandshake, type ScriptedConnection } from '../support/scripted-peer.js';
import { crawlFixtures } from '../support/fixtures.js';
import { distinctTxs, typicalTxs } from '../support/txs.js';
import { fundingTxid, mkTx } from '../support/mempool-txs.js';

const { listen, crawl } = crawlFixtures();

/** `answer`: gettxout from `outputs` (txid:vout → value in satoshis and script hex), null for any other. */
type Mode = 'silent' | 'busy' | 'answer';

interface RpcServer {
  readonly url: string;
  /** Methods of each batch after the start-up check, in arrival order. */
  readonly batches: string[][];
  /** Resolves once `n` such batches have come and been let go (closed by the crawler, or answered). */
  settled(n: number): Promise<void>;
}

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  servers = [];
});

/**
 * A JSON-RPC server that answers `getblockchaininfo` as a regtest Core does, then, to every other
 * batch: `silent`, nothing (the request stays open until the crawler gives up on it); `busy`, what
 * Core answers when its work queue is full (HTTP 503, "Work queue depth exceeded", httpserver.cpp);
 * `answer`, gettxout's answers (Core's shape: value in BTC, scriptPubKey.hex) from `outputs`.
 */
async function rpcServer(mode: Mode, outputs: ReadonlyMap<string, { sats: number; hex: string }> = new Map()): Promise<RpcServer> {
  const batches: string[][] = [];
  let done = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const settle = (): void => {
    done++;
    for (const w of waiters.filter((x) => x.n <= done)) w.resolve();
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const calls = JSON.parse(body) as { id: number; method: string; params: unknown[] }[];
      if (calls.length === 1 && calls[0].method === 'getblockchaininfo') {
        res.end(JSON.stringify([{ result: { chain: 'regtest' }, error: null, id: calls[0].id }]));
        return;
      }
      batches.push(calls.map((c) => c.method));
      if (mode === 'answer') {
        const answer = (c: (typeof calls)[number]): unknown => {
          const o = c.method === 'gettxout' ? outputs.get(`${String(c.params[0])}:${String(c.params[1])}`) : undefined;
          return o && { value: o.sats / 1e8, scriptPubKey: { hex: o.hex } };
        };
        res.end(JSON.stringify(calls.map((c) => ({ result: answer(c) ?? null, error: null, id: c.id }))));
        settle();
      } else if (mode === 'busy') {
        res.writeHead(503).end('Work queue depth exceeded');
        settle();
      } else res.on('close', settle); // the crawler's deadline closes it
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://user:pass@127.0.0.1:${port}/`,
    batches,
    settled: (n) => (done >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

/** A peer that relays `first`, then, once `more` resolves, the rest. */
function relaying(first: DecodedTx, rest: readonly DecodedTx[], more: Promise<void>): (c: ScriptedConnection) => Promise<void> {
  return async (c) => {
    await coreHandshake(c);
    const all = [first, ...rest];
    c.send({ command: 'inv', items: [{ type: InvType.WTX, hash: first.wtxid }] });
    void more.then(() => c.send({ command: 'inv', items: rest.map((t) => ({ type: InvType.WTX, hash: t.wtxid })) }));
    for (;;) {
      const m = await c.next();
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'getheaders') c.send({ command: 'headers', headers: [] });
      if (m.command !== 'getdata') continue;
      for (const item of m.items) {
        const t = all.find((x) => toReversedHex(x.wtxid) === toReversedHex(item.hash));
        if (t) c.send({ command: 'tx', tx: t });
      }
    }
  };
}

describe('--rpc with a slow or failing node', () => {
  for (const mode of ['silent', 'busy'] as const) {
    it(`${mode === 'silent' ? 'never answers' : 'answers HTTP 503 (work queue full)'}: each tx line comes without fee, after Core was asked; the failure is logged once`, async () => {
      // Their inputs spend outputs the crawler never saw: only Core could give their fees.
      const [first, ...rest] = distinctTxs(3, typicalTxs().filter((t) => !isCoinbase(t)));
      const rpc = await rpcServer(mode);
      let release!: () => void;
      const more = new Promise<void>((r) => (release = r));
      const p = await listen(relaying(first, rest, more));
      const c = crawl('--peers', p.address, '--emit', 'tx', '--rpc', rpc.url, '--rpc-timeout', '0.3');
      const line1 = await c.waitLine((l) => l.event === 'tx' && l.txid === toReversedHex(first.txid), 'first tx line');
      // Core was asked for the outputs the first one spends before its line was printed.
      expect(rpc.batches[0]).toContain('gettxout');
      expect(line1.fee).toBeUndefined();
      expect(line1.feerate).toBeUndefined();
      await c.waitLog(/--rpc failed/);
      // The next transactions: asked of Core again (in a later batch), printed without fee, not logged again.
      release();
      for (const t of rest) {
        const l = await c.waitLine((x) => x.event === 'tx' && x.txid === toReversedHex(t.txid), `tx line ${toReversedHex(t.txid)}`);
        expect(l.fee).toBeUndefined();
      }
      expect(rpc.batches.length).toBeGreaterThanOrEqual(2);
      await rpc.settled(rpc.batches.length);
      await c.stop();
      const failures = c.logs.all.filter((l) => /--rpc failed/.test(l));
      expect(failures, c.logs.all.join('\n')).toHaveLength(1);
      expect(c.logs.all.filter((l) => /--rpc answers again/.test(l))).toEqual([]);
    });
  }
});

describe('--rpc with a node that answers', () => {
  it('prints a replacement\'s replaced line with its fee as by_fee, once Core has told it (the line waits with the replacement\'s own)', async () => {
    // Two outpoints only Core knows; the replacement spends the first again, and the second.
    const [f1, f2] = [fundingTxid(801), fundingTxid(802)];
    const p2wpkh = '0014' + '11'.repeat(20);
    const rpc = await rpcServer('answer', new Map([[`${toReversedHex(f1)}:0`, { sats: 100_000, hex: p2wpkh }], [`${toReversedHex(f2)}:0`, { sats: 50_000, hex: p2wpkh }]]));
    const a = mkTx({ ins: [[f1, 0]], outs: [90_000] });
    const b = mkTx({ ins: [[f1, 0], [f2, 0]], outs: [80_000], tag: 1 });
    let release!: () => void;
    const more = new Promise<void>((r) => (release = r));
    const p = await listen(relaying(a, [b], more));
    const c = crawl('--peers', p.address, '--emit', 'tx,replaced', '--rpc', rpc.url);
    const la = await c.waitLine((l) => l.event === 'tx' && l.txid === toReversedHex(a.txid), 'a');
    expect(la.fee).toBe(10_000);
    const from = c.lines.all.length;
    release();
    const lb = await c.waitLine((l) => l.event === 'tx' && l.txid === toReversedHex(b.txid), 'b');
    expect(lb.fee).toBe(70_000);
    // One replaced line, after a's and before b's: with both fees.
    const replaced = c.lines.all.slice(from).filter((l) => l.event === 'replaced');
    expect(replaced).toEqual([expect.objectContaining({ txid: toReversedHex(a.txid), by: toReversedHex(b.txid), fee: 10_000, by_fee: 70_000 })]);
    expect(c.lines.all.indexOf(replaced[0])).toBeLessThan(c.lines.all.indexOf(lb));
    await c.stop();
  });
});
