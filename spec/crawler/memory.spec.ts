/**
 * Memory a peer controls is bounded by what we keep, not by what it sent. Each test measures the
 * heap and ArrayBuffers retained after a full GC (spec/support/memory.ts), not assumed sizes.
 */
import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INVENTORY_LIMITS, Inventory, type InventoryLimits } from '../../lib/crawler/inventory.js';
import { COMMAND_LABELS, Metrics, OTHER_COMMAND } from '../../lib/crawler/metrics.js';
import { MAX_INV_ENTRIES } from '../../lib/wire/limits.js';
import { InvType, type InvItem } from '../../lib/wire/messages.js';
import { CODECS, decodeMessage, encodePayload } from '../../lib/wire/registry.js';
import { MB, retainedBytes } from '../support/memory.js';
import { Discovery, MAX_PENDING_DIALS } from '../../lib/crawler/discovery.js';
import { ADDRESS_BOOK_CAPACITY } from '../../lib/crawler/addrbook.js';
import { silentLogger } from '../../lib/log/logger.js';
import { AddrNetwork, type AddrV2Entry } from '../../lib/wire/messages.js';

/** 100 full invs of 1,800,003 bytes each: 180 MB sent. */
const INVS = 100;
/** What 100 pending entries may cost: their keys, copies and bookkeeping are kilobytes. */
const INVENTORY_BOUND_BYTES = 20 * MB;
/**
 * 10,000 invented commands may cost no more than this: measured, they cost ~0 (one `other` series);
 * a series each would cost ~3 MB (two counters × 10,000 label sets).
 */
const INVENTED_COMMANDS = 10_000;
const METRICS_BOUND_BYTES = 1 * MB;

/** Asks for everything at once: every new item is in flight, the state a peer that never delivers leaves us in. */
const LIMITS: InventoryLimits = { ...DEFAULT_INVENTORY_LIMITS, maxTxInFlightPerPeer: 1_000_000 };

const randomHash = (): Uint8Array => randomFillSync(new Uint8Array(32));

/** A full inv (MAX_INV_SZ entries) off the wire: one new hash, then `repeated` over and over. */
function hostileInvPayload(fresh: Uint8Array, repeated: Uint8Array): Uint8Array {
  const items: InvItem[] = [{ type: InvType.WTX, hash: fresh }];
  for (let i = 1; i < MAX_INV_ENTRIES; i++) items.push({ type: InvType.WTX, hash: repeated });
  // A frame's payload is exactly its bytes (the writer's buffer is larger).
  return encodePayload({ command: 'inv', items }).slice();
}

/**
 * `n` hostile invs from one peer, each built with the real codec and decoded exactly as the crawler
 * decodes them (every hash a view into the payload), then handed to the inventory. A function of
 * its own so that, once it returns, nothing but the inventory can hold a payload or a message.
 */
function announceHostileInvs(inventory: Inventory, n: number): void {
  const repeated = randomHash();
  for (let i = 0; i < n; i++) {
    const payload = hostileInvPayload(randomHash(), repeated);
    if (payload.length !== 1_800_003) throw new Error(`inv payload of ${payload.length} bytes`);
    const msg = decodeMessage({ command: 'inv', payload });
    if (msg.command !== 'inv') throw new Error(`decoded as ${msg.command}`);
    inventory.announce('peer', msg.items, i);
  }
}

/** `n` distinct printable 12-character commands that name no command we know (deterministic). */
function inventedCommands(n: number): string[] {
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const out = new Set<string>();
  while (out.size < n) {
    let s = '';
    for (let i = 0; i < 12; i++) s += String.fromCharCode(0x21 + (next() % 94)); // '!' .. '~'
    if (!COMMAND_LABELS.has(s) && s !== OTHER_COMMAND) out.add(s);
  }
  return [...out];
}

type Sample = { labels: Record<string, string | number | undefined>; value: number };

async function seriesOf(metrics: Metrics, name: string): Promise<Sample[]> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values;
}

describe('memory a peer controls', () => {
  it('inventory: 100 full invs of repeats pin only the 101 hashes kept, not the 180 MB of payloads', () => {
    const inventory = new Inventory(LIMITS);
    const before = retainedBytes();
    announceHostileInvs(inventory, INVS);
    const grown = retainedBytes() - before;
    // Had the inventory kept views (`hash: item.hash` instead of `item.hash.slice()`), each entry
    // would pin the whole 1.8 MB payload it came in: 100 × 1.8 MB = 180 MB retained.
    expect(grown).toBeLessThan(INVENTORY_BOUND_BYTES);
    // And the entries were kept (so the bound is not met by forgetting): 100 new hashes plus the
    // repeated one (new in the first inv), all asked for and awaited.
    expect(inventory.pending).toBe(INVS + 1);
    expect(inventory.inFlight).toBe(INVS + 1);
    console.log(`inventory: ${INVS + 1} entries from ${INVS} invs retain ${(grown / MB).toFixed(2)} MB`);
  });

  it('metrics: 10,000 invented commands share one `other` series and cost no memory', async () => {
    const metrics = new Metrics();
    const known = Object.keys(CODECS);
    const invented = inventedCommands(INVENTED_COMMANDS);
    for (const cmd of known) {
      metrics.message('in', cmd, 100, 'v1');
      metrics.message('out', cmd, 100, 'v1');
    }
    const before = retainedBytes();
    for (const cmd of invented) metrics.message('in', cmd, 100, 'v1');
    const grown = retainedBytes() - before;
    for (const cmd of invented) metrics.badMessage(cmd);

    const messages = await seriesOf(metrics, 'bitcrawl_messages_total');
    // One series per (known command or `other`) × direction; unfixed, 10,000 more.
    expect(messages.length).toBeLessThanOrEqual((known.length + 1) * 2);
    const value = (samples: Sample[], command: string, direction: string): number | undefined =>
      samples.find((s) => s.labels.command === command && s.labels.direction === direction)?.value;
    expect(value(messages, OTHER_COMMAND, 'in')).toBe(INVENTED_COMMANDS);
    // Known commands keep their own series: none was lumped into `other`.
    for (const cmd of known) {
      expect(value(messages, cmd, 'in')).toBe(1);
      expect(value(messages, cmd, 'out')).toBe(1);
    }
    const bytes = await seriesOf(metrics, 'bitcrawl_message_bytes_total');
    expect(bytes.length).toBeLessThanOrEqual((known.length + 1) * 2);
    expect(value(bytes, OTHER_COMMAND, 'in')).toBe(INVENTED_COMMANDS * 100);

    const bad = await seriesOf(metrics, 'bitcrawl_bad_messages_total');
    expect(bad).toEqual([{ labels: { command: OTHER_COMMAND }, value: INVENTED_COMMANDS }]);

    expect(grown).toBeLessThan(METRICS_BOUND_BYTES);
    // Keeps the invented commands alive through the measurement, so they are not counted as freed.
    expect(invented).toHaveLength(INVENTED_COMMANDS);
    console.log(`metrics: ${messages.length} message series; ${INVENTED_COMMANDS} invented commands retain ${(grown / 1024).toFixed(1)} KB`);
  });
});

/** A million gossiped addresses: more than the book, the dialled set and the queue may keep. */
const GOSSIPED = 1_000_000;
/**
 * Discovery's bound: the book (65,536 entries: strings, a 4- or 16-byte copy, a history), the
 * dialled set and the dial queue (65,536 keys each). Measured ~45 MB; unbounded, a million
 * addresses would cost several times that.
 */
const DISCOVERY_BOUND_BYTES = 96 * MB;

/** `n` distinct routable IPv4 addresses from 11.0.0.0 on, in addr messages of 1,000. */
function* gossip(n: number): Generator<AddrV2Entry[]> {
  for (let i = 0; i < n; i += 1_000) {
    const batch: AddrV2Entry[] = [];
    for (let j = i; j < Math.min(n, i + 1_000); j++) {
      const v = 11 * 2 ** 24 + j;
      batch.push({ time: 1_700_000_000, services: 0x409n, networkId: AddrNetwork.IPV4, addr: Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255), port: 8333 });
    }
    yield batch;
  }
}

describe('memory peers gossip into', () => {
  it('discovery: a million learned addresses cost the book, the dialled set and the queue, each capped', () => {
    const discovery = new Discovery([], [], { discover: true, finite: true }, silentLogger);
    const before = retainedBytes();
    for (const batch of gossip(GOSSIPED)) discovery.learn('peer', batch);
    const grown = retainedBytes() - before;
    expect(discovery.book.size).toBeLessThanOrEqual(ADDRESS_BOOK_CAPACITY);
    expect(discovery.book.size).toBeGreaterThan(ADDRESS_BOOK_CAPACITY * 0.9);
    expect(discovery.waiting).toBe(MAX_PENDING_DIALS);
    expect(grown).toBeLessThan(DISCOVERY_BOUND_BYTES);
    console.log(`discovery: ${GOSSIPED} addresses learned retain ${(grown / MB).toFixed(1)} MB`);
  });
});
