/** What the crawl (crawl.ts) and the census (census.ts) compose alike: the pool's events routed, and the addresses room. */
import type { SchedulerLike, Subscription } from 'rxjs';
import type { AddrV2Entry } from '../wire/messages.js';
import type { Pool } from '../pool/pool.js';
import type { PeerId } from '../pool/keep-peer.js';
import { fromLegacy, type KnownAddress } from './addrbook.js';
import type { Discovery } from './discovery.js';
import type { Router } from './router.js';

/** Addresses: learned into the book, each new one reported; those discovery queues wake the pool. */
export function addressRoom(router: Router, discovery: Discovery, pool: Pool, report: (peer: PeerId, address: KnownAddress, now: number) => void): void {
  const learn = (peer: PeerId, entries: readonly AddrV2Entry[], now: number): void => {
    for (const address of discovery.learn(peer, entries)) report(peer, address, now);
    pool.wake();
  };
  router.on('addr', (peer, msg, now) => learn(peer, msg.addrs.map(fromLegacy), now)).on('addrv2', (peer, msg, now) => learn(peer, msg.addrs, now));
}

/** The pool's events, each routed at the time its bytes were read (see SessionEvent), not now; the pool's end is `out`'s. */
export function routeEvents(pool: Pool, router: Router, scheduler: SchedulerLike, out: { error(err: unknown): void; complete(): void }): Subscription {
  return pool.events().subscribe({
    next: (t) => router.route(t, (t.ev.type === 'message' || t.ev.type === 'ready') && t.ev.at !== undefined ? t.ev.at : scheduler.now()),
    error: (err: unknown) => out.error(err),
    complete: () => out.complete(),
  });
}
