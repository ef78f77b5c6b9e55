/**
 * What the real `crawl` logs about dialling: a configured peer that refuses is a warning (seen at
 * --log-level warn) whose detail says ECONNREFUSED once; the v2 → v1 fallback says why it dials
 * again between its two `connecting` lines.
 */
import { describe, expect, it } from 'vitest';
import { crawlFixtures } from '../support/fixtures.js';
import { coreHandshake, REGTEST, scriptedPeer } from '../support/scripted-peer.js';

describe('dial logs', () => {
  const { crawl } = crawlFixtures();

  it('a configured peer that refuses: a warning, visible at --log-level warn, ECONNREFUSED said once', async () => {
    const closed = await scriptedPeer(async () => {});
    const port = closed.port;
    await closed.close();
    const c = crawl('--peers', `127.0.0.1:${port}`, '--log-level', 'warn', '--no-reconnect');
    expect((await c.exited).code).toBe(1);
    const line = c.logs.all.find((l) => l.includes('could not connect')) as string;
    expect(line).toMatch(new RegExp(`^\\S+Z warn could not connect peer=127\\.0\\.0\\.1:${port} reason=refused detail="ECONNREFUSED: connect 127\\.0\\.0\\.1:${port}"$`));
    expect(line.match(/ECONNREFUSED/g)).toHaveLength(1);
  });

  it('v2 → v1: the reason between the two connecting lines', async () => {
    // A v1-only node: our v2 key is taken for a bad v1 header and the connection closed.
    const v1Only = await scriptedPeer(async (c) => {
      await coreHandshake(c);
      await c.closed;
    }, '127.0.0.1', REGTEST.magic, 'v1');
    try {
      const c = crawl('--peers', `127.0.0.1:${v1Only.port}`, '--transport', 'auto');
      await c.waitLog(/peer connected/);
      const mine = c.logs.all.filter((l) => l.includes(`peer=127.0.0.1:${v1Only.port}`));
      const connecting = mine.findIndex((l) => / info connecting .*transport=v2/.test(l));
      const why = mine.findIndex((l) => / info v2 handshake failed, trying v1 .*error="v2 handshake failed: /.test(l));
      const again = mine.findIndex((l) => / info connecting .*transport=v1/.test(l));
      expect([connecting >= 0, why > connecting, again > why]).toEqual([true, true, true]);
    } finally {
      await v1Only.close();
    }
  });
});
