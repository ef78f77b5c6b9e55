/** The address book across restarts (--addrbook), as Core keeps peers.dat. */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressBook } from '../../lib/crawler/addrbook.js';
import { parseBook, serializeBook } from '../../lib/crawler/addrbook-file.js';
import { AddrNetwork, type AddrV2Entry } from '../../lib/wire/messages.js';
import { crawlFixtures } from '../helpers/fixtures.js';
import { coreHandshake, type ScriptedConnection } from '../helpers/scripted-peer.js';

const dir = mkdtempSync(join(tmpdir(), 'bitcrawl-addrbook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { listen, crawl } = crawlFixtures();

const ipv4 = (host: string, port: number): AddrV2Entry => ({ time: 1_700_000_000, services: 0x409n, networkId: AddrNetwork.IPV4, addr: Uint8Array.from(host.split('.').map(Number)), port });

const node = (gossip: AddrV2Entry[] = []) => async (c: ScriptedConnection) => {
  await coreHandshake(c);
  for (;;) {
    const m = await c.next();
    if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
    if (m.command === 'getaddr') c.send({ command: 'addrv2', addrs: gossip });
  }
};

describe('the address book file', () => {
  it('round-trips every address with its history; malformed rows are skipped and counted', () => {
    const book = new AddressBook({ allowLocal: true });
    book.add(ipv4('1.2.3.4', 8333), 'seed.example', { attempts: 2, lastTry: 5_000 });
    book.add({ time: 7, services: 0n, networkId: AddrNetwork.TORV3, addr: new Uint8Array(32).fill(7), port: 8333 }, '1.2.3.4:8333', { attempts: 0, lastSuccess: 9_000, lastTry: 8_000 });
    const text = serializeBook(book, 'mainnet');
    const again = new AddressBook({ allowLocal: true });
    expect(parseBook(text, 'mainnet', again)).toEqual({ added: 2, skipped: 0 });
    expect([...again.entries()]).toEqual([...book.entries()]);
    const doc = JSON.parse(text) as { addresses: unknown[] };
    doc.addresses.push({ network_id: 1, addr: 'zz', port: 1 }, 'nonsense');
    expect(parseBook(JSON.stringify(doc), 'mainnet', new AddressBook())).toEqual({ added: 2, skipped: 2 });
    expect(() => parseBook(text, 'testnet', new AddressBook())).toThrow('the address book holds mainnet addresses, not testnet: name another --addrbook');
  });

  it('a corrupt file is reported in one line and set aside; the book is saved again at exit with what was learned', async () => {
    const q = await listen(node(), '127.0.0.3');
    const p = await listen(node([ipv4('127.0.0.3', q.port)]), '127.0.0.2');
    const file = join(dir, 'corrupt.json');
    const garbage = '{"format":"bitcrawl-addrbook","version":1,"addresses":[{"net'; // truncated
    writeFileSync(file, garbage);
    const c = crawl('--peers', p.address, '--discover', '--addrbook', file, '--emit', 'peer');
    await c.waitLine((l) => l.event === 'peer' && l.state === 'up' && l.peer === q.address, 'learned peer up');
    expect(await c.stop()).toEqual({ code: 0, signal: null });
    const warned = c.logs.all.filter((l) => l.includes('is unreadable'));
    expect(warned).toHaveLength(1);
    const aside = readdirSync(dir).filter((f) => f.startsWith('corrupt.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(warned[0]).toContain(`set aside as ${join(dir, aside[0])}`);
    expect(readFileSync(join(dir, aside[0]), 'utf8')).toBe(garbage);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { network: string; addresses: Array<{ port: number; last_success?: number; attempts: number }> };
    expect(saved.network).toBe('regtest');
    const row = saved.addresses.find((a) => a.port === q.port);
    expect(row?.last_success).toEqual(expect.any(Number));
    expect(row?.attempts).toBe(0);
    expect(readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it('is where a crawl without --peers starts: addresses that worked before, those that failed last', async () => {
    const dead = await listen(node(), '127.0.0.4');
    const good = await listen(node(), '127.0.0.5');
    const file = join(dir, 'ranked.json');
    const rows = [
      { network_id: 1, addr: '7f000004', port: dead.port, services: '409', time: 1, source: 'x', last_try: Date.now() - 60_000, attempts: 3 },
      { network_id: 1, addr: '7f000005', port: good.port, services: '409', time: 1, source: 'x', last_try: Date.now() - 3_600_000, last_success: Date.now() - 3_600_000, attempts: 0 },
    ];
    writeFileSync(file, JSON.stringify({ format: 'bitcrawl-addrbook', version: 1, network: 'regtest', saved: 0, addresses: rows }));
    const c = crawl('--addrbook', file, '--max-peers', '1', '--emit', 'peer');
    const first = await c.waitLine((l) => l.event === 'peer' && l.state === 'up', 'first peer up');
    expect(first.peer).toBe(good.address);
    expect(c.logs.all.some((l) => l.includes('starting from the address book'))).toBe(true);
    await c.stop();
    expect(existsSync(file)).toBe(true);
  });
});
