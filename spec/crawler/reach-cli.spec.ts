/** Reaching peers through the real `crawl` command: the connect timeout, large peer lists. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreHandshake } from '../support/scripted-peer.js';
import { crawlFixtures } from '../support/fixtures.js';
import { stalledListener, type StalledListener } from '../support/stalled-listener.js';

const { crawl, listen } = crawlFixtures();
const dir = mkdtempSync(join(tmpdir(), 'bitcrawl-peers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
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

describe('--peers-file', () => {
  const alive = () =>
    listen(async (c) => {
      await coreHandshake(c);
      for (;;) {
        const m = await c.next();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      }
    }, '127.0.0.2');

  it('takes 10,000 peers (too many for one argument: E2BIG), with comments, and dials every one', async () => {
    const p = await alive();
    // 9,999 loopback addresses where nothing listens (refused at once), then the live one last.
    const dead = Array.from({ length: 9_999 }, (_, i) => `127.1.${i >> 8}.${i & 255}:${p.port}`);
    const file = join(dir, 'peers.txt');
    writeFileSync(file, ['# refused ones first', ...dead, '', `${p.address}   # the live one`, ''].join('\n'));
    const c = crawl('--peers-file', file, '--no-reconnect', '--transport', 'v1', '--max-peers', '500', '--emit', 'peer');
    await c.waitLine((l) => l.event === 'peer' && l.state === 'up' && l.peer === p.address, 'the last peer up', 120_000);
    expect(c.lines.all.filter((l) => l.state === 'down' && l.reason === 'refused')).toHaveLength(9_999);
  }, 150_000);

  it('- reads the list from stdin; a bad line is one error naming its line', async () => {
    const p = await alive();
    const c = crawl('--peers-file', '-', '--emit', 'peer');
    c.child.stdin.end(`# one peer\n${p.address}\n`);
    await c.waitLine((l) => l.event === 'peer' && l.state === 'up' && l.peer === p.address, 'peer up');
    const file = join(dir, 'bad.txt');
    writeFileSync(file, '127.0.0.1:1\n127.0.0.1:99999\n');
    const bad = crawl('--peers-file', file);
    expect((await bad.exited).code).toBe(2);
    expect(bad.logs.all).toEqual([`crawl: ${file} line 2: bad port in peer "127.0.0.1:99999": ports are 1-65535`]);
    const missing = crawl('--peers-file', join(dir, 'none.txt'));
    expect((await missing.exited).code).toBe(2);
    expect(missing.logs.all).toEqual([`crawl: --peers-file ${join(dir, 'none.txt')}: ENOENT`]);
  });
});
