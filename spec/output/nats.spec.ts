import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventOf, NatsSink, withVantage, type NatsOptions } from '../../lib/output/nats.js';
import { createLogger } from '../../lib/log/logger.js';
import { NatsServer } from '../support/nats-server.js';
import { NATS_SERVER, storedMessages } from '../support/nats.js';
import { PassThrough } from 'node:stream';

describe('line → published message', () => {
  it('takes the event from the line and adds the vantage last', () => {
    expect(eventOf('{"event":"tx","txid":"ab"}')).toBe('tx');
    expect(eventOf('{"txid":"ab","event":"block"}')).toBe('block');
    expect(eventOf('{"event":"No.Dots"}')).toBe('other');
    expect(JSON.parse(withVantage('{"event":"tx","seen":{"peer":"p"}}', 'a "b"'))).toEqual({ event: 'tx', seen: { peer: 'p' }, vantage: 'a "b"' });
  });
});

function logged(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  return { log: createLogger({ level: 'debug', format: 'text', stream }), lines };
}

const line = (i: number): string => JSON.stringify({ event: 'tx', txid: i.toString(16).padStart(64, '0'), n: i });

describe.skipIf(!NATS_SERVER)('NatsSink against a real nats-server with JetStream', () => {
  let server: NatsServer;
  // A server of its own for each test: its own stream, nothing left from another.
  beforeEach(async () => {
    server = await NatsServer.start(NATS_SERVER as string);
  });
  afterEach(async () => {
    await server?.stop();
  });

  const options = (stream: string, buffer = 100): NatsOptions => ({ url: server.url, vantage: 'here', buffer, stream, maxAgeS: 3600, maxBytes: 1 << 24 });

  it('creates the stream and stores every line, acknowledged, on bitcrawl.<network>.<event> with the vantage', async () => {
    const { log } = logged();
    const sink = new NatsSink(options('S1'), 'regtest', log);
    await sink.start();
    for (let i = 0; i < 50; i++) sink.write(line(i));
    sink.write('{"event":"block","hash":"00"}');
    await sink.idle();
    expect(sink.stats).toMatchObject({ published: 51, dropped: 0, pending: 0 });
    expect(await sink.close()).toBe(0);
    const stored = await storedMessages(server.url, 'S1');
    expect(stored.map((m) => m.json.n).slice(0, 50)).toEqual([...Array(50).keys()]);
    expect(stored[0]).toMatchObject({ subject: 'bitcrawl.regtest.tx', json: { vantage: 'here', event: 'tx' } });
    expect(stored[50]).toMatchObject({ subject: 'bitcrawl.regtest.block', json: { hash: '00', vantage: 'here' } });
  });

  it('the server away: lines within the buffer all arrive once it is back, the ones beyond are counted as dropped', async () => {
    const { log, lines } = logged();
    const buffer = 40;
    const sink = new NatsSink(options('S2', buffer), 'regtest', log);
    await sink.start();
    sink.write(line(0));
    await sink.idle();
    await server.pause();
    // 40 fit (whether they went out before the client noticed or not, they are pending until acknowledged).
    for (let i = 1; i <= buffer + 7; i++) sink.write(line(i));
    expect(sink.stats).toMatchObject({ dropped: 7, pending: buffer, published: 1 });
    expect(lines.some((l) => /nats: buffer full, dropping/.test(l))).toBe(true);
    await server.resume();
    await sink.idle();
    expect(sink.stats).toMatchObject({ published: buffer + 1, dropped: 7, pending: 0 });
    await sink.close();
    const stored = await storedMessages(server.url, 'S2');
    // Each exactly once, in order: a line sent again after a lost acknowledgement is stored once.
    expect(stored.map((m) => m.json.n)).toEqual([...Array(buffer + 1).keys()]);
  }, 60_000);

  it('no server at all: the sink buffers, drops beyond the bound, and closes at once', async () => {
    const { log, lines } = logged();
    const sink = new NatsSink({ ...options('S3', 5), url: 'nats://127.0.0.1:1' }, 'regtest', log);
    const started = sink.start();
    for (let i = 0; i < 8; i++) sink.write(line(i));
    expect(sink.stats).toMatchObject({ pending: 5, dropped: 3, connected: false });
    expect(await sink.close(10)).toBe(5);
    await started;
    expect(lines.some((l) => /cannot connect yet/.test(l))).toBe(true);
  });
});
