/** What a person reads on stderr about peers that never came up, through the real `crawl` command. */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { encodeMessage } from '../../lib/wire/registry.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CrawlProcess, runCrawl } from '../support/crawl-process.js';
import { versionOf } from '../support/scripted-peer.js';

let servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

/** A loopback listener that runs `onConnection` for each accepted socket; resolves to its port. */
async function listener(onConnection: (s: Socket) => void): Promise<{ port: number; accepted: () => number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    sockets.push(s);
    s.on('error', () => {});
    onConnection(s);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, accepted: () => n };
}

describe('messages about peers', () => {
  it('a peer that accepts and never speaks: "connecting", "connected, handshaking", then "no handshake", not "dropped"', async () => {
    const l = await listener(() => {});
    const c = new CrawlProcess(['--network', 'regtest', '--transport', 'v1', '--no-reconnect', '--handshake-timeout', '1', '--peers', `127.0.0.1:${l.port}`]);
    await c.waitLog(/ info connecting peer=127\.0\.0\.1:\d+ transport=v1/);
    await c.waitLog(/ info connected, handshaking peer=127\.0\.0\.1:\d+/);
    // A configured peer: a warning (--log-level warn shows it).
    await c.waitLog(/ warn no handshake peer=127\.0\.0\.1:\d+ reason=handshake-timeout/);
    expect((await c.exited).code).toBe(1);
    expect(c.logs.all.join('\n')).not.toMatch(/dropped/);
  });

  it('a node of another network: names it, says which --network to use, and does not dial it again', async () => {
    const l = await listener((s) => s.write(encodeMessage(NETWORKS.testnet4.magic, versionOf(70016))));
    // Reconnect is on: the process ends by itself only because nothing is left to dial.
    const c = new CrawlProcess(['--network', 'regtest', '--transport', 'v1', '--peers', `127.0.0.1:${l.port}`]);
    await c.waitLog(/ warn this is a testnet4 node; use --network testnet4; not dialling it again peer=127\.0\.0\.1:\d+/);
    expect((await c.exited).code).toBe(1);
    expect(l.accepted()).toBe(1);
    // What --help and the README say of status 1: not only with --no-reconnect.
    const help = await runCrawl(['--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/1 decode: a bad input line; crawl: no peer left to redial and none ever connected \(with --no-reconnect, or every peer of another network: never redialled\)/);
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    expect(readme).toMatch(/\| 1 \| .*with or without it, every peer of another network/);
  });

  it('in auto transport too: the v2 attempt already sees the v1 version of another network', async () => {
    const l = await listener((s) => s.write(encodeMessage(NETWORKS.mainnet.magic, versionOf(70016))));
    const c = new CrawlProcess(['--network', 'regtest', '--peers', `127.0.0.1:${l.port}`]);
    await c.waitLog(/ warn this is a mainnet node; use --network mainnet/);
    expect((await c.exited).code).toBe(1);
    expect(l.accepted()).toBe(1);
  });
});
