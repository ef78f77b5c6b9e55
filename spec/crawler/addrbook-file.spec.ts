/** The address book across restarts (--addrbook), as Core keeps peers.dat. */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressBook } from '../../lib/crawler/addrbook.js';
import { loadBook, parseBook, saveBook, serializeBook } from '../../lib/crawler/addrbook-file.js';
import { silentLogger } from '../../lib/log/logger.js';
import { AddrNetwork, type AddrV2Entry } from '../../lib/wire/messages.js';
import { crawlFixtures } from '../support/fixtures.js';
import { runCrawl } from '../support/crawl-process.js';
import { coreHandshake, type ScriptedConnection } from '../support/scripted-peer.js';

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
    // Version 2: [network_id, addr, port, services, time, source, last_try, last_success, attempts].
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { network: string; version: number; addresses: unknown[][] };
    expect(saved).toMatchObject({ network: 'regtest', version: 2 });
    const row = saved.addresses.find((a) => a[2] === q.port);
    expect(row?.[7]).toEqual(expect.any(Number));
    expect(row?.[8]).toBe(0);
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

  it('reads version 1 files (objects) as well as version 2 (arrays)', () => {
    const book = new AddressBook({ allowLocal: true });
    book.add(ipv4('1.2.3.4', 8333), 'seed.example', { attempts: 2, lastTry: 5_000 });
    const v2 = JSON.parse(serializeBook(book, 'mainnet')) as { addresses: unknown[][] };
    const rows = v2.addresses.map((r) => ({ network_id: r[0], addr: r[1], port: r[2], services: r[3], time: r[4], source: r[5], last_try: r[6], attempts: r[8] }));
    const again = new AddressBook({ allowLocal: true });
    expect(parseBook(JSON.stringify({ format: 'bitcrawl-addrbook', version: 1, network: 'mainnet', addresses: rows }), 'mainnet', again)).toEqual({ added: 1, skipped: 0 });
    expect([...again.entries()]).toEqual([...book.entries()]);
  });

  it('never writes through a file or symlink planted where the temporary file goes (it was FILE.tmp-<pid>)', async () => {
    const file = join(dir, 'planted.json');
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'not yours');
    symlinkSync(victim, `${file}.tmp-${process.pid}`);
    const book = new AddressBook({ allowLocal: true });
    book.add(ipv4('1.2.3.4', 8333), 'x', { attempts: 0 });
    await saveBook(file, 'mainnet', book);
    expect(readFileSync(victim, 'utf8')).toBe('not yours');
    const loaded = new AddressBook({ allowLocal: true });
    loadBook(file, 'mainnet', loaded, silentLogger);
    expect(loaded.size).toBe(1);
    // Only the planted link and the book: the temporary file was renamed, nothing else left behind.
    expect(readdirSync(dir).filter((f) => f.startsWith('planted.json')).sort()).toEqual(['planted.json', `planted.json.tmp-${process.pid}`]);
  });

  it('saves 65,536 addresses a chunk per event-loop turn: other callbacks run while it writes', async () => {
    const book = new AddressBook({ allowLocal: true });
    for (let i = 0; i < 65_536; i++) book.add(ipv4(`11.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 8333), '1.2.3.4:8333', { attempts: 0 });
    let turns = 0;
    let saving = true;
    const spin = (): void => {
      turns++;
      if (saving) setImmediate(spin);
    };
    setImmediate(spin);
    await saveBook(join(dir, 'big.json'), 'mainnet', book);
    saving = false;
    // At least a turn per chunk of SAVE_CHUNK_ROWS (512): a save that held the loop throughout gives 0.
    expect(turns).toBeGreaterThanOrEqual(65_536 / 512);
    const loaded = new AddressBook({ allowLocal: true });
    loadBook(join(dir, 'big.json'), 'mainnet', loaded, silentLogger);
    expect(loaded.size).toBe(65_536);
  });

  // /dev/zero has size 0 and never ends: it was read until memory ran out; a FIFO waited for a writer.
  const notRegular: ReadonlyArray<readonly [string, () => string]> = [
    ['a device (/dev/zero)', () => '/dev/zero'],
    ['a FIFO', () => {
      const fifo = join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      return fifo;
    }],
    ['a directory', () => {
      const folder = join(dir, 'folder');
      mkdirSync(folder);
      return folder;
    }],
  ];
  for (const [what, make] of notRegular) {
    it(`refuses --addrbook naming ${what}: one line, exit 2`, async () => {
      const path = make();
      const r = await runCrawl(['--network', 'regtest', '--peers', '127.0.0.1:18444', '--addrbook', path]);
      expect(r.stderr.trim().split('\n').filter((l) => l.includes(path))).toEqual([`crawl: --addrbook ${path}: not a regular file`]);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
