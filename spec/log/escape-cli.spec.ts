/**
 * A peer's words on our stderr are inert: a scripted peer whose user agent sets the terminal's
 * title, erases the line and draws a forged log line (ESC]0;…BEL ESC[2K ESC[1G), with a C1 CSI,
 * a bidi override and a line separator, reaches the real `crawl`'s text and JSON logs escaped.
 */
import { describe, expect, it } from 'vitest';
import { crawlFixtures } from '../support/fixtures.js';
import { versionOf, type ScriptedConnection } from '../support/scripted-peer.js';

const AGENT = '/Satoshi:27.0.0/\u001b]0;pwned\u0007\u001b[2K\u001b[1G2026-01-01T00:00:00.000Z info forged\r\n\u009b31m\u202eevil\u2066\u2028\u007f';

/** Bytes a terminal could act on: C0 other than the newline ending each line, DEL, C1 (as UTF-8), U+2028/2029 and the bidi controls. */
function rawControls(text: string): string[] {
  return [...text].filter((c) => {
    const n = c.charCodeAt(0);
    return (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f) || n === 0x2028 || n === 0x2029 || (n >= 0x202a && n <= 0x202e) || (n >= 0x2066 && n <= 0x2069);
  });
}

/** Core's handshake, with AGENT as our user agent; then it stays connected. */
async function hostileAgent(c: ScriptedConnection): Promise<void> {
  await c.next('version');
  c.send(versionOf(70016, AGENT));
  c.send({ command: 'verack' });
  await c.next('verack');
  await c.closed;
}

describe('a peer-chosen user agent on stderr', () => {
  const { listen, crawl } = crawlFixtures();

  it.each(['text', 'json'])('reaches the %s log with every control character escaped', async (format) => {
    const p = await listen(hostileAgent);
    const c = crawl('--peers', p.address, '--log-format', format);
    let stderr = '';
    c.child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    await c.waitLog(/peer connected/);
    await c.stop();
    expect(stderr).toContain('pwned');
    expect(rawControls(stderr)).toEqual([]);
    const line = stderr.split('\n').find((l) => l.includes('peer connected')) as string;
    // Still what the peer sent, once read back as JSON.
    if (format === 'json') expect((JSON.parse(line) as { agent: string }).agent).toBe(AGENT);
    else expect(JSON.parse(/agent=("(?:[^"\\]|\\.)*")/.exec(line)?.[1] ?? 'null')).toBe(AGENT);
  });
});
