/**
 * The cost of `--emit propagation` on its own, in process: every peer announcing every
 * transaction once (as at 10,000 peers × 20 tx/s: 200,000 announcements a second), each an `inv`
 * of one item decoded as the codec makes it, handed to the AnnouncementWatch and then to the
 * inventory's key look-up, as the router does. Reported: CPU time (user + system, not wall time,
 * so that a loaded machine disturbs it less) per announcement and as a share of one core at
 * 200,000 announcements a second. bench:network measures the whole crawler; this isolates the
 * watch, to compare versions of it.
 *
 *   npm run bench:propagation                       (2,000 peers × 600 txs, 9 rounds)
 *   npm run bench:propagation -- --peers 10000 --txs 600
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AnnouncementWatch } from '../lib/crawler/announcements.js';
import { MAX_CLOSED_REMEMBERED, MAX_OPEN_ITEMS } from '../lib/crawler/propagation.js';
import { invKey } from '../lib/wire/hex.js';
import { InvType, type InvItem } from '../lib/wire/messages.js';

const { values } = parseArgs({ options: { peers: { type: 'string', default: '2000' }, txs: { type: 'string', default: '600' }, rounds: { type: 'string', default: '9' } } });
const PEERS = Number(values.peers);
const TXS = Number(values.txs);
const ROUNDS = Number(values.rounds);
/** Announcements a second at 10,000 peers × 20 tx/s. */
const RATE = 10_000 * 20;
/** Core trickles to inbound peers every 5 s on average: delays spread over seconds. */
const SPREAD_MS = 5_000;

const hashes = Array.from({ length: TXS }, () => new Uint8Array(randomBytes(32)));
const peers = Array.from({ length: PEERS }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}:8333`);

function round(): number {
  const watch = new AnnouncementWatch(30_000, MAX_OPEN_ITEMS, MAX_CLOSED_REMEMBERED);
  for (let p = 0; p < PEERS; p++) watch.up(peers[p], p % 10 === 0 ? 'ipv6' : 'ipv4', 0);
  const delivered = new Set<string>();
  const start = process.cpuUsage();
  for (let t = 0; t < TXS; t++) {
    for (let p = 0; p < PEERS; p++) {
      const items: InvItem[] = [{ type: InvType.WTX, hash: hashes[t], key: undefined }];
      watch.inv(peers[p], items, t * 50 + ((p * 7919) % SPREAD_MS));
      // The inventory's first look-up of the same item (lib/crawler/inventory.ts announce).
      delivered.add(invKey(items[0]));
    }
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

round(); // warm up
const ms = Array.from({ length: ROUNDS }, round).sort((a, b) => a - b);
const n = PEERS * TXS;
const median = ms[Math.floor(ms.length / 2)];
console.log(`bench-propagation: ${PEERS} peers × ${TXS} txs = ${n.toLocaleString('en-US')} announcements, ${ROUNDS} rounds`);
console.log(`CPU per round: min ${ms[0].toFixed(0)} / median ${median.toFixed(0)} ms = ${((median * 1000) / n).toFixed(3)} µs an announcement`);
console.log(`at ${RATE.toLocaleString('en-US')} announcements/s (10,000 peers × 20 tx/s): ${((median / n) * RATE * 100 / 1000).toFixed(1)}% of one core`);
