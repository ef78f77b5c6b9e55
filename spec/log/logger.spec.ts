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
});
