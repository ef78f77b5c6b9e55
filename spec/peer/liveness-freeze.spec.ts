/**
 * Issue 19 (suspected, confirmed): after the event loop was blocked past a ping's deadline, Node
 * runs expired timers before it polls the sockets, so a pong that arrived during the block was
 * still unread when the deadline fired, and a healthy peer was dropped for `ping-timeout`.
 * In process, on a real loopback socket: the block is this process's own (a busy loop), which is
 * what a freeze of the crawler is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { dialPeer, type SessionOptions } from '../../lib/peer/connect.js';
import { silentLogger } from '../../lib/log/logger.js';
import { coreHandshake, REGTEST, scriptedPeer, type ScriptedPeer } from '../support/scripted-peer.js';

const PING_TIMEOUT_MS = 300;
const opts: SessionOptions = {
  network: REGTEST,
  handshakeTimeoutMs: 10_000,
  pingIntervalMs: 60_000, // the first ping at once, the next not within the test
  pingTimeoutMs: PING_TIMEOUT_MS,
  userAgent: '/bitcrawl:test/',
  log: silentLogger,
};

let closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

/** Blocks this process, as a long synchronous task in the crawler would. */
function freeze(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: no timer, no socket read
  }
}

describe('liveness after the event loop was blocked', () => {
  it('reads the pong that arrived during the block before the ping deadline is held against the peer', async () => {
    const p: ScriptedPeer = await scriptedPeer(async (c) => {
      await coreHandshake(c);
      const ping = await c.next('ping');
      // The pong is in the crawler's socket buffer (loopback writes at once), unread: then the
      // process blocks past the deadline.
      c.send({ command: 'pong', nonce: ping.nonce });
      freeze(3 * PING_TIMEOUT_MS);
      await c.closed;
    });
    closers.push(() => p.close());
    const events = dialPeer('127.0.0.1', p.port, opts, 'v1');
    let sub: Subscription | undefined;
    const outcome = new Promise<string>((resolve) => {
      sub = events.pipe(filter((e) => e.type === 'rtt')).subscribe({
        next: () => resolve('answered'),
        error: (err: unknown) => resolve(`dropped: ${String(err)}`),
      });
    });
    closers.push(() => sub?.unsubscribe());
    expect(await outcome).toBe('answered');
  });

  it('still drops a peer whose pong did not come', async () => {
    const p: ScriptedPeer = await scriptedPeer(async (c) => {
      await coreHandshake(c);
      await c.next('ping');
      freeze(3 * PING_TIMEOUT_MS);
      await c.closed;
    });
    closers.push(() => p.close());
    const err = await firstValueFrom(dialPeer('127.0.0.1', p.port, opts, 'v1').pipe(filter((e) => e.type === 'rtt'))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/no pong within/);
  });
});
