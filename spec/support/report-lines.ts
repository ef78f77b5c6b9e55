/**
 * Synthetic lines of the real shapes for `crawl report` (its benchmark and the README's pictures):
 * tx lines as the crawler prints them (70%), census peer lines, merge and per-item propagation
 * lines, blocks, mempool-monitor lines, and ~1% broken lines; a day of them over a million lines.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const T0 = 1_765_000_000;
const hex = (i: number): string => i.toString(16).padStart(64, '0');
const NETS = ['ipv4', 'ipv4', 'ipv4', 'ipv6', 'onion', 'i2p', 'cjdns'];
const AGENTS = ['/Satoshi:28.1.0/', '/Satoshi:27.0.0/', '/Satoshi:29.0.0/', '/btcd:0.24.2/', '/Satoshi:25.0.0/Knots:20230807/'];

/** A tx line like the crawler's (two inputs, two outputs: ~1.3 kB). */
function txLine(i: number, t: number): string {
  const vin = [0, 1].map((k) => ({
    txid: hex(i * 7 + k),
    vout: k,
    is_coinbase: false,
    scriptsig: '',
    scriptsig_asm: '',
    witness: ['3044022058f1b8a2c1e9f0a7d3b6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a40220' + hex(i).slice(0, 40) + '01', '02' + hex(i + 1).slice(0, 64)],
    sequence: 4294967293,
  }));
  const vout = [0, 1].map((k) => ({
    scriptpubkey: '0014' + hex(i + k).slice(0, 40),
    scriptpubkey_asm: 'OP_0 OP_PUSHBYTES_20 ' + hex(i + k).slice(0, 40),
    scriptpubkey_type: 'v0_p2wpkh',
    scriptpubkey_address: 'bc1q' + hex(i + k).slice(0, 38),
    value: 10_000 + i * 3 + k,
  }));
  const first = t - (i % 50) / 100;
  return JSON.stringify({
    event: 'tx', txid: hex(i), wtxid: hex(i + 1), version: 2, locktime: 0, vin, vout, size: 370, weight: 832, vsize: 208,
    seen: { peer: `10.0.${i % 256}.1:8333`, time: t, first: { peer: '10.0.0.7:8333', time: first }, last: { peer: '10.0.0.8:8333', time: first + (i % 13) / 100 }, peers: 1 + (i % 9) },
  });
}

export function lineAt(i: number, span = 1_000_000): string {
  const t = T0 + i * (86_400 / span); // a day over `span` lines
  const r = i % 100;
  if (r < 70) return txLine(i, t);
  if (r < 80) return JSON.stringify({ event: 'peer', state: 'visited', peer: `10.${i % 256}.0.1:8333`, network: NETS[i % NETS.length], time: t, version: 70016, services: i % 3 ? '0x0000000000000c09' : '0x0000000000000409', user_agent: AGENTS[i % AGENTS.length], start_height: 900_000 - (i % 5), relay: true, wtxid_relay: true, addrv2: true, transport: i % 3 ? 'v2' : 'v1', rtt_ms: 20 + (i % 400) });
  if (r < 84) return JSON.stringify({ event: 'peer', state: 'unreachable', peer: `10.${i % 256}.0.2:8333`, network: 'ipv4', time: t, reason: i % 2 ? 'refused' : 'connect-timeout', message: 'x' });
  if (r < 88) return JSON.stringify({ event: 'propagation', kind: 'tx', txid: hex(i), vantages: { berlin: { first: t, peers: 8 }, tokyo: { first: t + (i % 90) / 100, peers: 5 } }, first_vantage: 'berlin', spread_ms: (i % 90) * 10 });
  if (r < 90) return JSON.stringify({ event: 'propagation', kind: 'block', hash: hex(i), first: { peer: '10.0.0.1:8333', time: t }, announcers: 8, connected: 10, delay_ms: { p10: 1, p25: 3, p50: 10 + (i % 40), p75: 60, p90: 100 + (i % 300), max: 900 }, by_network: { ipv4: 8 } });
  if (r < 91) return JSON.stringify({ event: 'block', hash: hex(i), prev_hash: hex(i - 1), height: 900_000, tx_count: 50, txids: Array.from({ length: 50 }, (_, k) => hex(i + k)), seen_txs: 40, seen: { peer: '10.0.0.1:8333', time: t } });
  if (r < 93) return JSON.stringify({ event: 'mempool', time: t, count: 50_000 + (i % 1000), vsize: 30_000_000 + i, oldest_age: 3600, feerate_histogram: [[1, 5e6], [2, 4e6], [5, 3e6], [12, 2e6], [30, 1e6], [120, 1e5]] });
  if (r < 95) return JSON.stringify({ event: 'replaced', txid: hex(i), by: hex(i + 1), time: t, rbf_signaled: i % 4 !== 0, fee: 300, by_fee: 600 });
  if (r < 96) return JSON.stringify({ event: 'evicted', txid: hex(i), reason: ['conflict', 'expiry', 'size'][i % 3], time: t });
  if (r < 99) return JSON.stringify({ event: 'confirmed', txid: hex(i), block: hex(i + 9), height: 900_001, time: t, mempool_s: 30 + (i % 7200) });
  return i % 2 ? 'not json {' : JSON.stringify({ event: 'something-new', time: t });
}

export async function generate(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) if (!out.write(`${lineAt(i, n)}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

