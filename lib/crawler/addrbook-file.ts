/**
 * The address book on disk, as Core keeps peers.dat (addrdb.cpp DumpPeerAddresses /
 * LoadAddrman): written whole to a temporary file and renamed over the old one, so a crash
 * leaves the old file or the new one, never half of one; loaded at start. A file that cannot be
 * read as a book is reported in one line and set aside (renamed, as Core moves a corrupt
 * peers.dat out of the way), never a crash and never silently emptied.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, renameSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log/logger.js';
import { fromHex, toHex } from '../wire/hex.js';
import type { AddrV2Entry } from '../wire/messages.js';
import type { AddressBook, AddressHistory } from './addrbook.js';
import { UsageError } from './options.js';

export const ADDRBOOK_FORMAT = 'bitcrawl-addrbook';
/** Version 2 writes each address as an array (half the bytes of version 1's objects); version 1 is still read. */
export const ADDRBOOK_VERSION = 2;
/** How often the book is saved while crawling; Core dumps peers.dat every 15 minutes (net.h DUMP_PEERS_INTERVAL). */
export const ADDRBOOK_SAVE_MS = 5 * 60_000;
/** A file larger than this is not a book we wrote (65,536 entries take ~5 MB): set aside, read no further. */
export const MAX_ADDRBOOK_FILE_BYTES = 64 * 1024 * 1024;
/** Addresses serialized per event-loop turn while saving (a few milliseconds each): peers are read meanwhile. */
export const SAVE_CHUNK_ROWS = 512;

/** Version 1's row (an object); version 2 writes the same fields as an array, in this order. */
interface Row {
  network_id: number;
  addr: string;
  port: number;
  services: string;
  time: number;
  source: string;
  last_try?: number;
  last_success?: number;
  attempts: number;
}
const FIELDS = ['network_id', 'addr', 'port', 'services', 'time', 'source', 'last_try', 'last_success', 'attempts'] as const;

/** The file in pieces: a header, then SAVE_CHUNK_ROWS addresses a piece, then the end. */
export function* serializeChunks(book: AddressBook, network: string): Generator<string> {
  const header = JSON.stringify({ format: ADDRBOOK_FORMAT, version: ADDRBOOK_VERSION, network, saved: Date.now() });
  yield `${header.slice(0, -1)},"addresses":[`;
  let rows: string[] = [];
  let first = true;
  const flush = (): string => {
    const text = (first ? '\n' : ',\n') + rows.join(',\n');
    [rows, first] = [[], false];
    return text;
  };
  for (const { entry, address, history } of book.entries()) {
    const row = [entry.networkId, toHex(entry.addr), entry.port, entry.services.toString(16), entry.time, address.source, history.lastTry ?? null, history.lastSuccess ?? null, history.attempts];
    rows.push(JSON.stringify(row));
    if (rows.length >= SAVE_CHUNK_ROWS) yield flush();
  }
  if (rows.length > 0) yield flush();
  yield '\n]}\n';
}

export function serializeBook(book: AddressBook, network: string): string {
  return [...serializeChunks(book, network)].join('');
}

const isInt = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isTime = (v: unknown): boolean => v === undefined || isInt(v, Number.MAX_SAFE_INTEGER);

/** One row as an entry and its history, or undefined when it is malformed. */
/** A version 2 row as version 1's object (null for an absent time). */
function fromArray(a: readonly unknown[]): Partial<Row> {
  const orUndefined = (v: unknown): unknown => (v === null ? undefined : v);
  return { network_id: a[0], addr: a[1], port: a[2], services: a[3], time: a[4], source: a[5], last_try: orUndefined(a[6]), last_success: orUndefined(a[7]), attempts: a[8] } as Partial<Row>;
}

function rowOf(r: unknown): { entry: AddrV2Entry; source: string; history: AddressHistory } | undefined {
  if (typeof r !== 'object' || r === null) return undefined;
  if (Array.isArray(r) && r.length !== FIELDS.length) return undefined;
  const x = (Array.isArray(r) ? fromArray(r) : r) as Partial<Row>;
  if (!isInt(x.network_id, 255) || typeof x.addr !== 'string' || x.addr.length > 128 || !/^(?:[0-9a-f]{2})*$/.test(x.addr)) return undefined;
  if (!isInt(x.port, 65535) || typeof x.services !== 'string' || !/^[0-9a-f]{1,16}$/.test(x.services) || !isInt(x.time, 2 ** 32 - 1)) return undefined;
  if (typeof x.source !== 'string' || x.source.length > 300 || !isTime(x.last_try) || !isTime(x.last_success) || !isInt(x.attempts, 1_000_000)) return undefined;
  return {
    entry: { networkId: x.network_id, addr: fromHex(x.addr), port: x.port, services: BigInt(`0x${x.services}`), time: x.time },
    source: x.source,
    history: { lastTry: x.last_try, lastSuccess: x.last_success, attempts: x.attempts },
  };
}

class CorruptBook extends Error {}

/** Adds a file's addresses to `book`; returns how many were added and how many rows were malformed. */
export function parseBook(text: string, network: string, book: AddressBook): { added: number; skipped: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CorruptBook(`not JSON (${(err as Error).message})`);
  }
  const d = doc as { format?: unknown; version?: unknown; network?: unknown; addresses?: unknown };
  if (typeof doc !== 'object' || doc === null || d.format !== ADDRBOOK_FORMAT) throw new CorruptBook(`not a ${ADDRBOOK_FORMAT} file`);
  if (d.version !== 1 && d.version !== ADDRBOOK_VERSION) throw new CorruptBook(`version ${String(d.version)}, not 1 or ${ADDRBOOK_VERSION}`);
  if (!Array.isArray(d.addresses)) throw new CorruptBook('no address list');
  if (d.network !== network) throw new UsageError(`the address book holds ${String(d.network)} addresses, not ${network}: name another --addrbook`);
  let added = 0;
  let skipped = 0;
  for (const r of d.addresses as unknown[]) {
    const row = rowOf(r);
    if (!row) skipped++;
    else if (book.add(row.entry, row.source, row.history)) added++;
  }
  return { added, skipped };
}

/**
 * The file's text, read through one descriptor: refused (a UsageError) unless it is a regular file
 * (a device such as /dev/zero has no size to check, a FIFO never ends), and never more than
 * MAX_ADDRBOOK_FILE_BYTES + 1 bytes read, whatever the file says its size is.
 */
function readBookFile(path: string): string {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new UsageError(`--addrbook ${path}: not a regular file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, MAX_ADDRBOOK_FILE_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_ADDRBOOK_FILE_BYTES) throw new CorruptBook(`larger than ${MAX_ADDRBOOK_FILE_BYTES} bytes`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads `path` into `book` (a missing file is an empty book). A corrupt, truncated or oversized
 * file is renamed to `<path>.corrupt-<unix ms>` with one warning line; the crawl goes on. Anything
 * but a regular file is the user's mistake: a UsageError (one line, a non-zero exit).
 */
export function loadBook(path: string, network: string, book: AddressBook, log: Logger): void {
  try {
    const { added, skipped } = parseBook(readBookFile(path), network, book);
    log.info('address book loaded', { file: path, addresses: added, ...(skipped > 0 ? { malformed_skipped: skipped } : {}) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return log.info('address book: no file yet, starting empty', { file: path });
    if (!(err instanceof CorruptBook)) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--addrbook ${path}: ${e.code ?? e.message}`);
    }
    const aside = `${path}.corrupt-${Date.now()}`;
    renameSync(path, aside);
    log.warn(`address book ${path} is unreadable (${err.message}): set aside as ${aside}, starting empty`);
  }
}

/**
 * Writes the book atomically, as Core writes peers.dat (addrdb.cpp SerializeFileDB: a temporary
 * file, FileCommit, rename, DirectoryCommit): a new temporary file beside it, created exclusively
 * under a random name (O_EXCL | O_NOFOLLOW: a file or symlink planted there is never written
 * through), written a chunk per event-loop turn, fsynced, renamed over the old one, and the
 * directory fsynced so that the rename survives a crash.
 */
export async function saveBook(path: string, network: string, book: AddressBook): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(8).toString('hex')}`;
  const file = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let renamed = false;
  try {
    for (const chunk of serializeChunks(book, network)) await file.write(chunk);
    await file.sync();
    await file.close();
    await rename(tmp, path);
    renamed = true;
    const dir = await open(dirname(path), constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } finally {
    if (!renamed) {
      await file.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    }
  }
}
