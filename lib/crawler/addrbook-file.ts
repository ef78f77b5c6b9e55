/**
 * The address book on disk, as Core keeps peers.dat (addrdb.cpp DumpPeerAddresses /
 * LoadAddrman): written whole to a temporary file and renamed over the old one, so a crash
 * leaves the old file or the new one, never half of one; loaded at start. A file that cannot be
 * read as a book is reported in one line and set aside (renamed, as Core moves a corrupt
 * peers.dat out of the way), never a crash and never silently emptied.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { Logger } from '../log/logger.js';
import { fromHex, toHex } from '../wire/hex.js';
import type { AddrV2Entry } from '../wire/messages.js';
import type { AddressBook, AddressHistory } from './addrbook.js';
import { UsageError } from './options.js';

export const ADDRBOOK_FORMAT = 'bitcrawl-addrbook';
export const ADDRBOOK_VERSION = 1;
/** How often the book is saved while crawling; Core dumps peers.dat every 15 minutes (net.h DUMP_PEERS_INTERVAL). */
export const ADDRBOOK_SAVE_MS = 5 * 60_000;
/** A file larger than this is not a book we wrote (65,536 entries take ~15 MB): set aside unread. */
export const MAX_ADDRBOOK_FILE_BYTES = 64 * 1024 * 1024;

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

export function serializeBook(book: AddressBook, network: string): string {
  const rows: Row[] = [];
  for (const { entry, address, history } of book.entries()) {
    rows.push({
      network_id: entry.networkId,
      addr: toHex(entry.addr),
      port: entry.port,
      services: entry.services.toString(16),
      time: entry.time,
      source: address.source,
      ...(history.lastTry === undefined ? {} : { last_try: history.lastTry }),
      ...(history.lastSuccess === undefined ? {} : { last_success: history.lastSuccess }),
      attempts: history.attempts,
    });
  }
  return JSON.stringify({ format: ADDRBOOK_FORMAT, version: ADDRBOOK_VERSION, network, saved: Date.now(), addresses: rows }) + '\n';
}

const isInt = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isTime = (v: unknown): boolean => v === undefined || isInt(v, Number.MAX_SAFE_INTEGER);

/** One row as an entry and its history, or undefined when it is malformed. */
function rowOf(r: unknown): { entry: AddrV2Entry; source: string; history: AddressHistory } | undefined {
  if (typeof r !== 'object' || r === null) return undefined;
  const x = r as Partial<Row>;
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
  if (d.version !== ADDRBOOK_VERSION) throw new CorruptBook(`version ${String(d.version)}, not ${ADDRBOOK_VERSION}`);
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
 * Loads `path` into `book` (a missing file is an empty book). A corrupt, truncated or oversized
 * file is renamed to `<path>.corrupt-<unix ms>` with one warning line; the crawl goes on.
 */
export function loadBook(path: string, network: string, book: AddressBook, log: Logger): void {
  let text: string;
  try {
    if (statSync(path).size > MAX_ADDRBOOK_FILE_BYTES) throw new CorruptBook(`larger than ${MAX_ADDRBOOK_FILE_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
    const { added, skipped } = parseBook(text, network, book);
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

/** Writes the book atomically: a temporary file beside it, then a rename over the old one. */
export function saveBook(path: string, network: string, book: AddressBook): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, serializeBook(book, network), { mode: 0o600 });
  renameSync(tmp, path);
}
