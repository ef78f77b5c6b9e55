/** Reaching peers through the real `crawl` command: the connect timeout, large peer lists. */
import { afterEach, describe, expect, it } from 'vitest';
import { crawlFixtures } from '../helpers/fixtures.js';
import { stalledListener, type StalledListener } from '../helpers/stalled-listener.js';

const { crawl } = crawlFixtures();
let stalled: StalledListener | undefined;
afterEach(async () => {
  await stalled?.close();
  stalled = undefined;
});

describe('--connect-timeout', () => {
  it('drops a peer whose TCP connect never completes with reason connect-timeout, long before the handshake deadline', async () => {
    stalled = await stalledListener();
    const peer = `${stalled.host}:${stalled.port}`;
    const c = crawl('--peers', peer, '--connect-timeout', '0.3', '--handshake-timeout', '600', '--no-reconnect', '--emit', 'peer');
    const down = await c.waitLine((l) => l.event === 'peer' && l.state === 'down', 'peer down');
    expect(down).toMatchObject({ peer, reason: 'connect-timeout', message: 'no TCP connection within 0.3 s' });
    expect((await c.exited).code).toBe(1);
  });
});
