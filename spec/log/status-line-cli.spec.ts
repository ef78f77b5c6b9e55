/**
 * On a terminal (a pseudo-terminal from `script`), the real `crawl`'s status line is cleared
 * before each log line and drawn again below it: no log line starts on the status line's row.
 */
/* eslint-disable no-control-regex -- the bytes on a terminal are the subject */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CRAWL_BIN } from '../support/crawl-process.js';
import { coreHandshake, scriptedPeer } from '../support/scripted-peer.js';

/** CR, then ESC[K (erase to the end of the line). */
const CLEAR = '\r\x1b[K';

describe('the status line on a terminal', () => {
  it('is cleared before a log line and the summary, and drawn again after', async () => {
    let statusShown!: () => void;
    const shown = new Promise<void>((resolve) => (statusShown = resolve));
    const peer = await scriptedPeer(async (c) => {
      await coreHandshake(c);
      await shown;
      c.close(); // a log line ("peer dropped") while the status line is on screen
    });
    try {
      const command = `${process.execPath} ${CRAWL_BIN} --network regtest --peers 127.0.0.1:${peer.port} --no-reconnect`;
      const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        if (/blocks\x1b\[K/.test(out)) statusShown();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(out).toMatch(/peers 1 \| [\d.]+ tx\/s \| 0 txs \| mempool 0 \| 0 blocks\x1b\[K/);
      const dropped = out.indexOf('peer dropped');
      expect(dropped).toBeGreaterThan(out.indexOf('blocks\x1b[K'));
      // Every log line and the summary start a row: after a newline, or after the status line was cleared.
      const starts = [...out.matchAll(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z |crawl: /g)].map((m) => m.index);
      expect(starts.length).toBeGreaterThanOrEqual(3);
      for (const at of starts) expect(at === 0 || out[at - 1] === '\n' || out.slice(at - CLEAR.length, at) === CLEAR, JSON.stringify(out.slice(Math.max(0, at - 40), at + 20))).toBe(true);
      expect(out).not.toMatch(/blocks\x1b\[K(\d{4}-|crawl:)/);
    } finally {
      await peer.close();
    }
  }, 60_000);
});
