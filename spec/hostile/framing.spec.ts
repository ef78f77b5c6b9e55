/**
 * Hostile framing: each peer that breaks framing we cannot resync is dropped promptly with a reason;
 * one whose frame is whole but corrupt (a bad checksum) loses that message only, as in Core. The good
 * peer's txs all arrive.
 */
import { describe, it } from 'vitest';
import { encodeFrame } from '../../lib/wire/header.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { crawlFixtures } from '../support/fixtures.js';
import { coreHandshake, REGTEST, type ScriptedConnection } from '../support/scripted-peer.js';
import { withBadPeers } from './harness.js';

const fx = crawlFixtures();
/** These peers write v1 frames by hand: the crawler must speak v1 to them (v2's own hostile cases: spec/peer/v2.spec.ts). */
const V1 = ['--transport', 'v1'];

/** A 24-byte header that declares `length` bytes (and a checksum) whatever follows. */
function header(command: string, length: number, magic = REGTEST.magic): Uint8Array {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(magic, 0);
  h.write(command, 4, 'ascii');
  h.writeUInt32LE(length, 16);
  h.writeUInt32LE(0x5df6e0e2, 20);
  return h;
}

const afterHandshake = (bytes: () => Uint8Array) => async (c: ScriptedConnection) => {
  await coreHandshake(c);
  c.sendRaw(bytes());
  await c.closed;
};

describe('hostile framing', () => {
  it('drops each framing offence, and only that peer', async () => {
    await withBadPeers(fx, [
      // Refused from the header alone, before any payload is buffered (MAX_PROTOCOL_MESSAGE_LENGTH).
      { name: 'length 0xffffffff', act: afterHandshake(() => header('tx', 0xffffffff)), expect: 'framing' },
      { name: 'length 4,000,001', act: afterHandshake(() => header('block', 4_000_001)), expect: 'framing' },
      // Over the command's own maximum: a ping is 8 bytes.
      { name: 'ping of 9 bytes', act: afterHandshake(() => encodeFrame(REGTEST.magic, 'ping', new Uint8Array(9))), expect: 'framing' },
      { name: "mainnet's magic", act: afterHandshake(() => encodeFrame(NETWORKS.mainnet.magic, 'ping', new Uint8Array(8))), expect: 'framing' },
      {
        name: 'random garbage',
        act: async (c) => {
          await coreHandshake(c);
          c.sendRaw(Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff));
          await c.closed;
        },
        expect: 'framing',
      },
      {
        name: 'reset mid-frame',
        act: async (c) => {
          await coreHandshake(c);
          c.sendRaw(encodeFrame(REGTEST.magic, 'inv', new Uint8Array(37)).subarray(0, 30));
          c.reset();
        },
        expect: 'closed',
      },
    ], V1);
  });

  it('keeps a peer whose frame has a bad checksum, as Core does, and reads on in step', async () => {
    await withBadPeers(fx, [
      {
        name: 'bad checksum',
        act: async (c) => {
          await coreHandshake(c);
          c.sendRaw(encodeFrame(REGTEST.magic, 'ping', new Uint8Array(8)).fill(0xaa, 20, 24));
          c.send({ command: 'ping', nonce: 0x5eedn });
          while ((await c.next('pong')).nonce !== 0x5eedn);
        },
        expect: 'kept',
      },
    ], V1);
  });

  it('drops a peer dribbling a frame one byte a second when its ping deadline passes', async () => {
    await withBadPeers(
      fx,
      [
        {
          name: 'dribbler',
          act: async (c) => {
            await coreHandshake(c);
            // Then a frame a byte a second, answering no ping: the framer holds at most 24 + the
            // declared length, and the ping deadline still runs.
            const frame = encodeFrame(REGTEST.magic, 'inv', new Uint8Array(1 + 36 * 50).fill(0));
            for (let i = 0; i < 3 && !c.socket.destroyed; i++) {
              c.sendRaw(frame.subarray(i, i + 1));
              await new Promise((r) => setTimeout(r, 1_000)); // the dribble itself is the behaviour under test
            }
          },
          expect: 'ping-timeout',
        },
      ],
      [...V1, '--ping-interval', '0.5', '--ping-timeout', '1.5'],
    );
  });
});
