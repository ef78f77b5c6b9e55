import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createLogger, type LogFormat } from '../../lib/log/logger.js';

function capture(format: LogFormat, level: 'info' | 'debug' = 'info'): { log: ReturnType<typeof createLogger>; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { log: createLogger({ level, format, stream }), lines: () => chunks.join('').split('\n').filter((l) => l !== '') };
}

describe('createLogger', () => {
  it('writes text lines as "<ISO time> <level> <message> key=value…", quoting values with spaces', async () => {
    const { log, lines } = capture('text');
    log.info('connecting', { peer: '127.0.0.1:18444', transport: 'v1' });
    log.warn('dropped', { peer: '[::1]:8333', reason: 'no pong within 2 s', n: 3 });
    log.debug('not shown at info');
    await new Promise((r) => setImmediate(r));
    expect(lines()).toHaveLength(2);
    expect(lines()[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info connecting peer=127\.0\.0\.1:18444 transport=v1$/);
    expect(lines()[1]).toMatch(/^\S+Z warn dropped peer=\[::1\]:8333 reason="no pong within 2 s" n=3$/);
  });

  it('writes JSON lines with the timestamp and every field', async () => {
    const { log, lines } = capture('json');
    log.error('boom', { peer: 'a:1' });
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(lines()[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', message: 'boom', peer: 'a:1' });
    expect(typeof line.timestamp).toBe('string');
  });
});
