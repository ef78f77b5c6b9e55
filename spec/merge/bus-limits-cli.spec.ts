/**
 * `crawl merge --nats` against hostile publishers and readers, for real: a nats-server with JetStream
 * on loopback, lines published into its stream as crawlers (or anyone with write access) would, and
 * the built `crawl merge` reading them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsServer } from '../support/nats-server.js';
import { freePort, until } from '../support/harness.js';
import { CrawlProcess, runCrawl } from '../support/crawl-process.js';
import { MERGE_RSS_BOUND_BYTES, PEAK_RSS_ENV, peakRssOf } from '../support/memory.js';
import { NATS_SERVER, publishLines } from '../support/nats.js';

const id = (i: number): string => i.toString(16).padStart(64, '0');
const txLine = (txid: string, vantage: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  event: 'tx',
  txid,
  vantage,
  seen: { peer: 'p', time: 100, first: { peer: 'q', time: 99 }, peers: 1 },
  ...extra,
});

/** The stream a crawl would have created (BITCRAWL on bitcrawl.>), for lines published before any merge runs. */
async function createStream(url: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    await (await jetstreamManager(nc)).streams.add({ name: 'BITCRAWL', subjects: ['bitcrawl.>'] });
  } finally {
    await nc.close();
  }
}

async function ackFloor(url: string, stream: string, consumer: string): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    return (await (await jetstreamManager(nc)).consumers.info(stream, consumer)).ack_floor.stream_seq;
  } finally {
    await nc.close();
  }
}

describe.skipIf(!NATS_SERVER)('crawl merge --nats against hostile publishers and readers', () => {
  let server: NatsServer;
  const running: CrawlProcess[] = [];
  beforeEach(async () => {
    server = await NatsServer.start(NATS_SERVER as string);
    await createStream(server.url);
  });
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop('SIGKILL');
    await server?.stop();
  });

  const merge = (args: readonly string[], env: NodeJS.ProcessEnv = {}): CrawlProcess => {
    const m = new CrawlProcess(['merge', '-n', 'regtest', '--nats', server.url, ...args], env);
    running.push(m);
    return m;
  };

  it('160 lines of 0.9 MB held in their window: what is held is the sighting, not the message (peak RSS bounded)', async () => {
    const n = 160;
    const pad = 'x'.repeat(900_000);
    await publishLines(
      server.url,
      Array.from({ length: n }, (_, i) => ({ subject: 'bitcrawl.regtest.tx', data: txLine(id(i), 'east', { pad }) })),
    );
    const m = merge(['--since', 'all', '--window', '3600', '--log-level', 'debug'], PEAK_RSS_ENV);
    // Every line received and held (none printed: the window is an hour).
    await m.waitLog(new RegExp(`merge: line kind=tx id=${id(n - 1)} vantage=east result=opened`), 60_000);
    expect((await m.stop('SIGTERM')).code).toBe(0);
    expect(m.lines.all).toEqual([]);
    expect(peakRssOf(m.logs.all.join('\n'))).toBeLessThan(MERGE_RSS_BOUND_BYTES);
  }, 120_000);

  it('`| head -1`: a group that did not reach stdout is not acknowledged; the next merge prints it', async () => {
    await publishLines(server.url, [{ subject: 'bitcrawl.regtest.tx', data: txLine(id(1), 'east') }]);
    const args = ['--durable', 'headless', '--since', 'all', '--window', '1'];
    const m1 = merge(args);
    await m1.waitLine((l) => l.txid === id(1), 'the first group');
    await until('the first group acknowledged', 15_000, async () => ((await ackFloor(server.url, 'BITCRAWL', 'headless')) === 1 ? true : undefined));
    // The reader goes away (as `head -1` does once it has its line); then a second group comes.
    m1.child.stdout.destroy();
    await publishLines(server.url, [{ subject: 'bitcrawl.regtest.tx', data: txLine(id(2), 'east') }]);
    expect((await m1.exited).code).toBe(0);
    expect(await ackFloor(server.url, 'BITCRAWL', 'headless')).toBe(1);
    const m2 = merge(args);
    const line = await m2.waitLine((l) => l.event === 'propagation', 'the second group');
    expect(line.txid).toBe(id(2));
    await m2.stop('SIGTERM');
    expect(m2.lines.all.map((l) => l.txid)).toEqual([id(2)]);
  }, 90_000);

  it('lines of another network on the stream: one warning naming it and -n', async () => {
    await publishLines(server.url, [
      { subject: 'bitcrawl.regtest.tx', data: txLine(id(1), 'east') },
      { subject: 'bitcrawl.regtest.tx', data: txLine(id(1), 'west') },
    ]);
    const m = new CrawlProcess(['merge', '--nats', server.url, '--since', 'all', '--window', '1']);
    running.push(m);
    await m.waitLog(/another network, regtest \(2 lines\), and this merge reads only mainnet's: give -n regtest/);
    await m.stop('SIGTERM');
    expect(m.logs.all.filter((l) => /another network/.test(l))).toHaveLength(1);
    expect(m.lines.all).toEqual([]);
  }, 60_000);

  it('tls:// and a real server without TLS: refused in one line, status 1', async () => {
    const r = await runCrawl(['merge', '--nats', `tls://127.0.0.1:${server.port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`crawl merge: tls://127.0.0.1:${server.port}: server does not support 'tls'`]);
  }, 60_000);
});

/** A loopback listener posing as a NATS server without TLS: it says INFO and records what it receives. */
async function fakeNats(): Promise<{ port: number; received: () => string; server: Server }> {
  const port = await freePort();
  let received = '';
  const server = createServer((s: Socket) => {
    s.write(`INFO {"server_id":"fake","version":"2.9.0","proto":1,"host":"127.0.0.1","port":${port},"max_payload":1048576,"headers":true}\r\n`);
    s.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (received.includes('CONNECT')) s.destroy();
    });
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, received: () => received, server };
}

describe('the NATS URL', () => {
  it('tls:// to a server that offers no TLS: nothing is sent to it, no CONNECT in the clear', async () => {
    const fake = await fakeNats();
    try {
      const r = await runCrawl(['merge', '--nats', `tls://bitcrawl:s3cret@127.0.0.1:${fake.port}`]);
      expect(fake.received()).not.toContain('CONNECT');
      expect(fake.received()).not.toContain('s3cret');
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`crawl merge: tls://***@127.0.0.1:${fake.port}: server does not support 'tls'`]);
      // A crawl publishing there: the same refusal, its usual warning, and it goes on crawling.
      const c = new CrawlProcess(['-n', 'regtest', '-p', `127.0.0.1:${await freePort()}`, '--nats', `tls://bitcrawl:s3cret@127.0.0.1:${fake.port}`]);
      try {
        await c.waitLog(/nats: cannot connect yet.*server does not support 'tls'/);
      } finally {
        await c.stop('SIGKILL');
      }
      expect(fake.received()).not.toContain('CONNECT');
    } finally {
      fake.server.close();
    }
  }, 60_000);

  it('credentials in it are never logged (merge: its error line; crawl: its connection warnings)', async () => {
    const closed = await freePort();
    const r = await runCrawl(['merge', '--nats', `nats://bitcrawl:s3cret@127.0.0.1:${closed}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('s3cret');
    expect(r.stderr).toContain(`nats://***@127.0.0.1:${closed}`);
    const c = new CrawlProcess(['-n', 'regtest', '-p', `127.0.0.1:${await freePort()}`, '--nats', `nats://bitcrawl:s3cret@127.0.0.1:${closed}`, '--no-reconnect']);
    try {
      await c.waitLog(/nats: cannot connect yet/);
      expect(c.logs.all.join('\n')).not.toContain('s3cret');
      expect(c.logs.all.join('\n')).toContain('***@127.0.0.1');
    } finally {
      await c.stop('SIGKILL');
    }
  }, 60_000);

  it('crawl merge --help says --nats is read from, not published to', async () => {
    const r = await runCrawl(['merge', '--help']);
    const nats = r.stdout.slice(r.stdout.indexOf('--nats '), r.stdout.indexOf('--nats-stream'));
    expect(nats).toMatch(/read the crawlers' lines/);
    expect(nats).not.toMatch(/publish/);
  });
});
