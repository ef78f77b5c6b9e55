import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import type { Observable } from 'rxjs';
import { crawl, type CrawlEvent } from '../../lib/crawler/crawl.js';
import { DEFAULT_INVENTORY_LIMITS } from '../../lib/crawler/inventory.js';
import type { Endpoint } from '../../lib/net/endpoint.js';
import { silentLogger } from '../../lib/log/logger.js';
import type { PeerError } from '../../lib/peer/errors.js';
import type { PeerInfo, PeerLink, SessionEvent } from '../../lib/peer/session.js';
import { InvType, type Message } from '../../lib/wire/messages.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { CHAIN_PARAMS } from '../../lib/chain/params.js';

const info: PeerInfo = { version: 70016, services: 0n, userAgent: '/x/', startHeight: 0, relay: true, wtxidRelay: false, addrv2: false, transport: 'v1' };
const hash = (n: number): Uint8Array => new Uint8Array(32).fill(n);
/** Only the fields the crawler reads: virtual-time tests need no real transaction. */
const fakeTx = (n: number): DecodedTx => ({ txid: hash(n), wtxid: hash(n), raw: Uint8Array.of(n) }) as unknown as DecodedTx;

function link(scheduler: TestScheduler, log: string[], name: string): PeerLink {
  return {
    send: (m: Message) => {
      // Header sync's getheaders and BIP 152's sendcmpct after each handshake are spec/crawler/headers.spec.ts's and compact.spec.ts's business.
      if (m.command === 'getheaders' || m.command === 'sendcmpct') return;
      const items = m.command === 'getdata' ? ':' + m.items.map((i) => `${i.type}/${i.hash[0]}`).join(',') : '';
      log.push(`${scheduler.now()} ${name} ${m.command}${items}`);
    },
    fail: (err: PeerError) => log.push(`${scheduler.now()} ${name} fail:${err.reason}`),
    close: () => {},
  };
}

const limits = { ...DEFAULT_INVENTORY_LIMITS, requestTimeoutMs: 60_000 };
const opts = { reconnect: false, limits, chain: CHAIN_PARAMS.regtest };
const A: Endpoint = { host: '127.0.0.1', port: 1 };
const B: Endpoint = { host: '127.0.0.1', port: 2 };

describe('crawl (virtual time)', () => {
  it('asks one announcer, falls back to the next on timeout, and prints the tx once', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ hot, expectObservable, flush }) => {
      const sent: string[] = [];
      const la = link(s, sent, 'A');
      const lb = link(s, sent, 'B');
      const inv = (n: number): SessionEvent => ({ type: 'message', msg: { command: 'inv', items: [{ type: InvType.TX, hash: hash(n) }] } });
      const peers: Record<number, Observable<SessionEvent>> = {
        1: hot('r 9ms i', { r: { type: 'ready', info, link: la }, i: inv(7) }),
        2: hot('r 19ms i 61479ms t 9ms t', {
          r: { type: 'ready', info, link: lb },
          i: inv(7),
          t: { type: 'message', msg: { command: 'tx', tx: fakeTx(7) } },
        }),
      };
      const events = crawl([A, B], opts, { connect: (t) => peers[t.port], log: silentLogger, scheduler: s });
      const txOnly = (e: CrawlEvent): string => (e.type === 'tx' ? `tx@${e.time} from ${e.peer}` : e.type);
      const out: string[] = [];
      const sub = events.subscribe((e) => out.push(txOnly(e)));
      s.schedule(() => sub.unsubscribe(), 100_000);
      flush();
      expect(out).toEqual(['peer-up', 'peer-up', 'tx@61500 from 127.0.0.1:2']);
      expect(sent).toEqual([`10 A getdata:${InvType.WITNESS_TX}/7`, `61000 B getdata:${InvType.WITNESS_TX}/7`]);
      void expectObservable;
    });
  });

  it('asks the next announcer at once on notfound, with MSG_WTX for a wtxid-relay peer', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ hot, flush }) => {
      const sent: string[] = [];
      const wtx = (n: number): SessionEvent => ({ type: 'message', msg: { command: 'inv', items: [{ type: InvType.WTX, hash: hash(n) }] } });
      const peers: Record<number, Observable<SessionEvent>> = {
        1: hot('r 9ms i 9ms n', {
          r: { type: 'ready', info: { ...info, wtxidRelay: true }, link: link(s, sent, 'A') },
          i: wtx(3),
          n: { type: 'message', msg: { command: 'notfound', items: [{ type: InvType.WTX, hash: hash(3) }] } },
        }),
        2: hot('r 14ms i', { r: { type: 'ready', info: { ...info, wtxidRelay: true }, link: link(s, sent, 'B') }, i: wtx(3) }),
      };
      const sub = crawl([A, B], opts, { connect: (t) => peers[t.port], log: silentLogger, scheduler: s }).subscribe();
      s.schedule(() => sub.unsubscribe(), 1_000);
      flush();
      expect(sent).toEqual([`10 A getdata:${InvType.WTX}/3`, `20 B getdata:${InvType.WTX}/3`]);
    });
  });

  it('ignores a tx nobody announced', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ hot, expectObservable }) => {
      const sent: string[] = [];
      const peer = hot<SessionEvent>('r t', { r: { type: 'ready', info, link: link(s, sent, 'A') }, t: { type: 'message', msg: { command: 'tx', tx: fakeTx(1) } } });
      const types = crawl([A], opts, { connect: () => peer, log: silentLogger, scheduler: s });
      expectObservable(types, '^ 10ms !').toBe('u', { u: expect.objectContaining({ type: 'peer-up' }) });
    });
  });

  it('sends no getdata while the output is blocked, and does not count that time against request deadlines', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ hot, cold, flush }) => {
      const sent: string[] = [];
      const inv = (n: number): SessionEvent => ({ type: 'message', msg: { command: 'inv', items: [{ type: InvType.TX, hash: hash(n) }] } });
      const peers: Record<number, Observable<SessionEvent>> = {
        // A announces 7 (asked at once, never delivered) and, while output is blocked, 8.
        1: hot('r 9ms i 49989ms j', { r: { type: 'ready', info, link: link(s, sent, 'A') }, i: inv(7), j: inv(8) }),
        2: hot('r 19ms i', { r: { type: 'ready', info, link: link(s, sent, 'B') }, i: inv(7) }),
      };
      // Blocked from 30 s to 100 s: longer than the 60 s request timeout.
      const paused = cold('f 29999ms t 69999ms f', { t: true, f: false });
      const sub = crawl([A, B], { ...opts, paused }, { connect: (t) => peers[t.port], log: silentLogger, scheduler: s }).subscribe();
      s.schedule(() => sub.unsubscribe(), 200_000);
      flush();
      expect(sent).toEqual([
        `10 A getdata:${InvType.WITNESS_TX}/7`,
        // 8 waited for the output to drain; 7's deadline (60,010) moved by the 70 s blocked.
        `100000 A getdata:${InvType.WITNESS_TX}/8`,
        `131000 B getdata:${InvType.WITNESS_TX}/7`,
      ]);
    });
  });

  it('turns a throw while routing one peer\'s event into that peer\'s drop; the others go on', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ hot, flush }) => {
      const sent: string[] = [];
      const inv = (n: number): SessionEvent => ({ type: 'message', msg: { command: 'inv', items: [{ type: InvType.TX, hash: hash(n) }] } });
      // A sends a tx whose ids are missing (a decoder bug, say); B's getdata send throws.
      const broken = { type: 'message', msg: { command: 'tx', tx: {} as DecodedTx } } as SessionEvent;
      const throwingLink: PeerLink = { ...link(s, sent, 'B'), send: () => { throw new Error('socket exploded'); } };
      const peers: Record<number, Observable<SessionEvent>> = {
        1: hot('r 4ms b 5ms i 9ms t', { r: { type: 'ready', info, link: link(s, sent, 'A') }, b: broken, i: inv(1), t: { type: 'message', msg: { command: 'tx', tx: fakeTx(1) } } }),
        2: hot('r 1ms i', { r: { type: 'ready', info, link: throwingLink }, i: inv(2) }),
        3: hot('r 29ms i 9ms t', { r: { type: 'ready', info, link: link(s, sent, 'C') }, i: inv(3), t: { type: 'message', msg: { command: 'tx', tx: fakeTx(3) } } }),
      };
      const out: string[] = [];
      const sub = crawl([A, B, { host: '127.0.0.1', port: 3 }], opts, { connect: (t) => peers[t.port], log: silentLogger, scheduler: s }).subscribe((e) => {
        if (e.type === 'tx') out.push(`tx ${e.tx.txid[0]}`);
      });
      s.schedule(() => sub.unsubscribe(), 1_000);
      flush();
      expect(sent).toContain('2 B fail:internal');
      expect(sent).toContain('5 A fail:internal');
      expect(out).toEqual(['tx 1', 'tx 3']);
    });
  });

  it('dials every peer once even when every dial throws at once (each frees its handshake slot), and ends', () => {
    const N = 1_000; // twice MAX_HANDSHAKES_IN_FLIGHT
    const targets = Array.from({ length: N }, (_, i) => ({ host: '127.0.0.1', port: 1 + i }));
    const dialled = new Set<number>();
    const downs: string[] = [];
    let complete = false;
    const connect = (t: Endpoint): Observable<SessionEvent> => {
      dialled.add(t.port);
      throw new Error('no route');
    };
    const sub = crawl(targets, opts, { connect, log: silentLogger }).subscribe({
      next: (e) => (e.type === 'peer-down' ? downs.push(e.reason) : undefined),
      complete: () => (complete = true),
    });
    sub.unsubscribe();
    expect(dialled.size).toBe(N);
    expect(downs).toEqual(Array.from({ length: N }, () => 'internal'));
    expect(complete).toBe(true);
  });

  it('asks each announcer by the id kind it announced with (MSG_WTX to a wtxid-relay peer, MSG_WITNESS_TX to a 70015 peer)', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ hot, flush }) => {
      const sent: string[] = [];
      // A legacy transaction: its wtxid is its txid, so both announce the same hash.
      const peers: Record<number, Observable<SessionEvent>> = {
        1: hot('r 9ms i 9ms n', {
          r: { type: 'ready', info: { ...info, wtxidRelay: true }, link: link(s, sent, 'A') },
          i: { type: 'message', msg: { command: 'inv', items: [{ type: InvType.WTX, hash: hash(5) }] } },
          n: { type: 'message', msg: { command: 'notfound', items: [{ type: InvType.WTX, hash: hash(5) }] } },
        }),
        2: hot('r 14ms i', { r: { type: 'ready', info, link: link(s, sent, 'B') }, i: { type: 'message', msg: { command: 'inv', items: [{ type: InvType.TX, hash: hash(5) }] } } }),
      };
      const sub = crawl([A, B], opts, { connect: (t) => peers[t.port], log: silentLogger, scheduler: s }).subscribe();
      s.schedule(() => sub.unsubscribe(), 1_000);
      flush();
      expect(sent).toEqual([`10 A getdata:${InvType.WTX}/5`, `20 B getdata:${InvType.WITNESS_TX}/5`]);
    });
  });
});
