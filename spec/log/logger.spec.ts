import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createLogger, type LogFormat, type Logger } from '../../lib/log/logger.js';

/** A logger writing into memory, and a promise of its first `n` lines (resolved by the stream's own data events). */
function capture(format: LogFormat): { log: Logger; lines: (n: number) => Promise<string[]> } {
  const stream = new PassThrough();
  let text = '';
  const waiting: Array<{ n: number; resolve: (lines: string[]) => void }> = [];
  const complete = (): string[] => text.split('\n').filter((l) => l !== '');
  stream.on('data', (c: Buffer) => {
    text += c.toString('utf8');
    for (const w of waiting.splice(0)) {
      if (complete().length >= w.n) w.resolve(complete().slice(0, w.n));
      else waiting.push(w);
    }
  });
  return {
    log: createLogger({ level: 'info', format, stream }),
    lines: (n) => new Promise((resolve) => (complete().length >= n ? resolve(complete().slice(0, n)) : waiting.push({ n, resolve }))),
  };
}

describe('createLogger', () => {
  it('writes text lines as "<ISO time> <level> <message> key=value…", quoting values with spaces, and drops levels below its own', async () => {
    const { log, lines } = capture('text');
    log.debug('not shown at info');
    log.info('connecting', { peer: '127.0.0.1:18444', transport: 'v1' });
    log.warn('dropped', { peer: '[::1]:8333', reason: 'no pong within 2 s', n: 3 });
    log.error('last');
    const [first, second, third] = await lines(3);
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info connecting peer=127\.0\.0\.1:18444 transport=v1$/);
    expect(second).toMatch(/^\S+Z warn dropped peer=\[::1\]:8333 reason="no pong within 2 s" n=3$/);
    expect(third).toMatch(/^\S+Z error last$/);
  });

  it('writes JSON lines with the timestamp and every field', async () => {
    const { log, lines } = capture('json');
    log.error('boom', { peer: 'a:1' });
    const line = JSON.parse((await lines(1))[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', message: 'boom', peer: 'a:1' });
    expect(typeof line.timestamp).toBe('string');
  });

  /** Every character that must never reach stderr raw: C0, DEL, C1, U+2028/2029, the bidi controls. */
  const UNSAFE = [...Array.from({ length: 0x20 }, (_, i) => i), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i), 0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
  const hostile = UNSAFE.map((c) => `x${String.fromCharCode(c)}`).join('');
  const rawUnsafe = (line: string): number[] => [...line].map((c) => c.charCodeAt(0)).filter((c) => UNSAFE.includes(c));

  it('escapes every control, separator and bidi character in messages and values (text)', async () => {
    const { log, lines } = capture('text');
    log.info(`agent ${hostile}`, { agent: hostile, nested: { ua: hostile }, plain: 'a\u009bb' });
    const [line] = await lines(1);
    expect(rawUnsafe(line)).toEqual([]);
    expect(line).toContain('\\u001b');
    expect(line).toContain('plain="a\\u009bb"');
    // The value reads back as what the peer sent.
    const agent = /agent=("(?:[^"\\]|\\.)*")/.exec(line)?.[1];
    expect(JSON.parse(agent ?? 'null')).toBe(hostile);
  });

  it('escapes them in JSON lines too, which still parse to the same strings', async () => {
    const { log, lines } = capture('json');
    log.warn(hostile, { agent: hostile });
    const [line] = await lines(1);
    expect(rawUnsafe(line)).toEqual([]);
    expect(JSON.parse(line)).toMatchObject({ message: hostile, agent: hostile });
  });
});

