/**
 * Hostile payloads. As in Core, an undecodable message costs only itself: the peer is kept (proven
 * by a ping answered after it). A count over a limit Core disconnects for, or a stream of bad
 * messages beyond the budget, drops the peer. Counts are checked before anything is allocated.
 */
import { describe, it } from 'vitest';
import { BAD_MESSAGE_BUDGET } from '../../lib/peer/budget.js';
import { encodeFrame } from '../../lib/wire/header.js';
import { InvType, type Message } from '../../lib/wire/messages.js';
import { encodePayload } from '../../lib/wire/registry.js';
import { crawlFixtures } from '../support/fixtures.js';
import { coreHandshake, REGTEST, versionOf, type ScriptedConnection } from '../support/scripted-peer.js';
import { segwitTxs } from '../support/txs.js';
import { withBadPeers, type BadPeer } from './harness.js';

const fx = crawlFixtures();
/** These peers write v1 frames by hand: the crawler must speak v1 to them (v2's own hostile cases: spec/peer/v2.spec.ts). */
const V1 = ['--transport', 'v1'];
const hash = new Uint8Array(32).fill(3);
const tx = segwitTxs()[0];

/** One instance of every message kind with a payload. */
const SAMPLES: Message[] = [
  versionOf(70016),
  { command: 'ping', nonce: 1n },
  { command: 'pong', nonce: 1n },
  { command: 'inv', items: [{ type: InvType.TX, hash }] },
  { command: 'getdata', items: [{ type: InvType.TX, hash }] },
  { command: 'notfound', items: [{ type: InvType.TX, hash }] },
  { command: 'tx', tx },
  { command: 'headers', headers: [{ version: 1, prevBlock: hash, merkleRoot: hash, time: 1, bits: 2, nonce: 3, hash }] },
  { command: 'getheaders', version: 70016, locator: [hash], stop: hash },
  { command: 'getblocks', version: 70016, locator: [hash], stop: hash },
  { command: 'addr', addrs: [{ time: 1, services: 1n, ip: new Uint8Array(16), port: 8333 }] },
  { command: 'addrv2', addrs: [{ time: 1, services: 1n, networkId: 1, addr: Uint8Array.of(127, 0, 0, 9), port: 8333 }] },
  { command: 'feefilter', feerate: 1000n },
  { command: 'sendcmpct', announce: false, version: 2n },
];

const sendAfterHandshake = (command: string, payload: Uint8Array, times = 1) => async (c: ScriptedConnection) => {
  await coreHandshake(c);
  for (let i = 0; i < times; i++) c.sendRaw(encodeFrame(REGTEST.magic, command, payload));
  await c.closed;
};

/** Sends the bad message, then a ping: its pong proves the crawler read past it and kept us. */
const sendThenProbe = (command: string, payload: Uint8Array, times = 1) => async (c: ScriptedConnection) => {
  await coreHandshake(c);
  for (let i = 0; i < times; i++) c.sendRaw(encodeFrame(REGTEST.magic, command, payload));
  const PROBE = 0x5eedn;
  c.send({ command: 'ping', nonce: PROBE });
  for (;;) {
    const pong = await c.next('pong');
    if (pong.nonce === PROBE) return;
  }
};

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

describe('hostile payloads', () => {
  it('keeps a peer that sends a truncated message of any kind, as Core does', async () => {
    const bad: BadPeer[] = SAMPLES.map((m) => {
      const full = encodePayload(m);
      // Half of it: short of every kind's mandatory fields (a version keeps less than its nonce).
      return { name: `truncated ${m.command}`, act: sendThenProbe(m.command, full.subarray(0, Math.floor(full.length / 2))), expect: 'kept' };
    });
    await withBadPeers(fx, bad, V1);
  });

  it('keeps a peer for one undecodable message, drops it for counts Core disconnects for and past the budget', async () => {
    const item = '01000000' + '03'.repeat(32);
    await withBadPeers(fx, [
      // Core: "non-canonical ReadCompactSize()": that message is lost, the peer stays.
      { name: 'inv count as fd0100', act: sendThenProbe('inv', hex('fd0100' + item)), expect: 'kept' },
      // Counts far beyond what follows: refused before anything is allocated.
      { name: 'tx inputs 2^64-1', act: sendThenProbe('tx', hex('02000000 ff ffffffffffffffff')), expect: 'kept' },
      {
        name: 'witness items 2^25',
        act: sendThenProbe('tx', hex('02000000 0001 01' + '00'.repeat(36) + '00 ffffffff 01 0000000000000000 00' + 'fe00000002')),
        expect: 'kept',
      },
      { name: 'trailing byte after inv', act: sendThenProbe('inv', hex('01' + item + '00')), expect: 'kept' },
      { name: 'headers entry with a tx count', act: sendThenProbe('headers', hex('01' + '00'.repeat(80) + '01')), expect: 'kept' },
      { name: 'addrv2 with a bad entry', act: sendThenProbe('addrv2', hex('01 00000000 01 01 05 7f000001ff 208d')), expect: 'kept' },
      // Core disconnects for these (MAX_INV_SZ, MAX_ADDR_TO_SEND, MAX_HEADERS_RESULTS).
      { name: 'inv 50,001', act: sendAfterHandshake('inv', hex('fd51c3' + item)), expect: 'misbehaving' },
      { name: 'addr 1,001', act: sendAfterHandshake('addr', hex('fde903' + '01000000' + '00'.repeat(26))), expect: 'misbehaving' },
      { name: 'headers 2,001', act: sendAfterHandshake('headers', hex('fdd107' + '00'.repeat(81))), expect: 'misbehaving' },
      // Eleven bad messages within a minute: past the budget.
      { name: `${BAD_MESSAGE_BUDGET + 1} truncated pings`, act: sendAfterHandshake('ping', hex('01'), BAD_MESSAGE_BUDGET + 1), expect: 'misbehaving' },
      { name: `${BAD_MESSAGE_BUDGET} truncated pings`, act: sendThenProbe('ping', hex('01'), BAD_MESSAGE_BUDGET), expect: 'kept' },
    ], V1);
  });
});
