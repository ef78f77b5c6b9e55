import { describe, expect, it } from 'vitest';
import { DownLog, MAX_DOWN_LOG_PEERS } from '../../lib/crawler/down-log.js';
import { MB, retainedBytes } from '../support/memory.js';
import { redialDelay } from '../../lib/pool/keep-peer.js';

describe('what a peer going down logs', () => {
  it('says "could not connect" or "no handshake" for a peer that never came up, "peer dropped" for one that did', () => {
    const d = new DownLog(() => false);
    expect(d.down('a:1', 'refused', 'ECONNREFUSED', false).message).toBe('could not connect');
    expect(d.down('b:1', 'connect-timeout', 'no TCP connection within 5 s', false).message).toBe('could not connect');
    expect(d.down('c:1', 'handshake-timeout', 'no version', false).message).toBe('no handshake');
    expect(d.down('d:1', 'closed', 'connection closed by peer', false).message).toBe('no handshake');
    expect(d.down('e:1', 'ping-timeout', 'no pong', true)).toMatchObject({ level: 'info', message: 'peer dropped' });
  });

  it('names the network of a node of another one, as a warning', () => {
    const note = new DownLog(() => true).down('a:1', 'wrong-network', 'this is a regtest node; use --network regtest', false);
    expect(note).toMatchObject({ level: 'warn', message: 'this is a regtest node; use --network regtest; not dialling it again' });
  });

  it('logs a refused configured peer once, then at its 2nd, 4th, 8th… failure with the backoff, as warnings', () => {
    const d = new DownLog(() => true);
    const info: number[] = [];
    for (let n = 1; n <= 40; n++) {
      const note = d.down('a:1', 'refused', 'ECONNREFUSED', false);
      if (note.level === 'warn') {
        info.push(n);
        expect(note.meta).toMatchObject({ failures: n, next_try_s: redialDelay(n) / 1000 });
        expect(note.message).toBe(n === 1 ? 'could not connect' : 'could not connect, still redialling');
      }
    }
    expect(info).toEqual([1, 2, 4, 8, 16, 32]);
    // Up again, then down: the count starts over, and the first failure after the drop is logged.
    d.up('a:1');
    expect(d.down('a:1', 'closed', 'gone', true).message).toBe('peer dropped');
    expect(d.down('a:1', 'refused', 'ECONNREFUSED', false)).toMatchObject({ level: 'warn', meta: { failures: 2 } });
    expect(d.down('a:1', 'refused', 'ECONNREFUSED', false).level).toBe('debug');
  });

  it('logs each failure of a peer that is not redialled: a learned one at info, a configured one (--no-reconnect) as a warning', () => {
    const d = new DownLog(() => false);
    expect(d.down('a:1', 'refused', 'x', false).level).toBe('info');
    const configured = new DownLog(() => false, (peer) => peer === 'c:1');
    expect(configured.down('c:1', 'refused', 'x', false).level).toBe('warn');
    expect(configured.down('l:1', 'refused', 'x', false).level).toBe('info');
  });

  it(`remembers at most ${MAX_DOWN_LOG_PEERS.toLocaleString('en')} peers: 500,000 refused dials to distinct addresses retain a bounded few MB`, () => {
    const d = new DownLog(() => false);
    const before = retainedBytes();
    for (let i = 0; i < 500_000; i++) d.down(`127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${8333 + (i >> 24)}`, 'refused', 'ECONNREFUSED', false);
    const grown = retainedBytes() - before;
    // Unbounded, each kept a Map and a Set entry (~132 bytes): ~66 MB here.
    expect(d.size).toBeLessThanOrEqual(MAX_DOWN_LOG_PEERS);
    expect(grown).toBeLessThan(20 * MB);
    // The latest failures are the ones remembered: a repeat is still "still failing", not news.
    expect(d.down('127.7.161.31:8333', 'refused', 'ECONNREFUSED', false).level).toBe('debug');
  });
});
