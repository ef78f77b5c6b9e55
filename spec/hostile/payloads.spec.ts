/** Hostile payloads: undecodable messages drop their peer (DESIGN.md), counts are checked first. */
import { describe, it } from 'vitest';
import { encodeFrame } from '../../lib/wire/header.js';
import { InvType, type Message } from '../../lib/wire/messages.js';
import { encodePayload } from '../../lib/wire/registry.js';
import { crawlFixtures } from '../helpers/fixtures.js';
import { coreHandshake, REGTEST, versionOf, type ScriptedConnection } from '../helpers/scripted-peer.js';
import { segwitTxs } from '../helpers/txs.js';
import { withBadPeers, type BadPeer } from './harness.js';

const fx = crawlFixtures();
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

const sendAfterHandshake = (command: string, payload: Uint8Array) => async (c: ScriptedConnection) => {
  await coreHandshake(c);
  c.sendRaw(encodeFrame(REGTEST.magic, command, payload));
  await c.closed;
};

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

describe('hostile payloads', () => {
  it('drops a peer for a truncated message of every kind', async () => {
    const bad: BadPeer[] = SAMPLES.map((m) => {
      const full = encodePayload(m);
      // Half of it: short of every kind's mandatory fields (a version keeps less than its nonce).
      return { name: `truncated ${m.command}`, act: sendAfterHandshake(m.command, full.subarray(0, Math.floor(full.length / 2))), expect: 'decode' };
    });
    await withBadPeers(fx, bad);
  });

  it('drops a peer for non-canonical CompactSize, counts beyond the bytes, and trailing bytes', async () => {
    const item = '01000000' + '03'.repeat(32);
    await withBadPeers(fx, [
      // Core: "non-canonical ReadCompactSize()".
      { name: 'inv count as fd0100', act: sendAfterHandshake('inv', hex('fd0100' + item)), expect: 'decode' },
      // Counts far beyond what follows: refused before anything is allocated.
      { name: 'tx inputs 2^64-1', act: sendAfterHandshake('tx', hex('02000000 ff ffffffffffffffff')), expect: 'decode' },
      { name: 'inv 50,001', act: sendAfterHandshake('inv', hex('fe51c30000' + item)), expect: 'decode' },
      { name: 'addr 1,001', act: sendAfterHandshake('addr', hex('fde903' + '01000000' + '00'.repeat(26))), expect: 'decode' },
      {
        name: 'witness items 2^25',
        act: sendAfterHandshake('tx', hex('02000000 0001 01' + '00'.repeat(36) + '00 ffffffff 01 0000000000000000 00' + 'fe00000002')),
        expect: 'decode',
      },
      { name: 'trailing byte after inv', act: sendAfterHandshake('inv', hex('01' + item + '00')), expect: 'decode' },
    ]);
  });
});
