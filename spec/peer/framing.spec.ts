/** MessageDecoder: a bad message costs that message (as in Core); a limit Core disconnects for, or too many bad ones, cost the peer. */
import { describe, expect, it } from 'vitest';
import { BAD_MESSAGE_BUDGET } from '../../lib/peer/budget.js';
import { PeerError } from '../../lib/peer/errors.js';
import { MessageDecoder, V2_PACKET } from '../../lib/peer/framing.js';
import { MAX_INV_ENTRIES } from '../../lib/wire/limits.js';
import type { Frame, Message } from '../../lib/wire/messages.js';
import { encodePayload } from '../../lib/wire/registry.js';
import { ByteWriter } from '../../lib/wire/writer.js';
import { asyncScheduler } from 'rxjs';
import { errorOf } from '../support/errors.js';

const ping = (n: bigint): Message => ({ command: 'ping', nonce: n });
const frame = (command: string, payload: Uint8Array): Frame => ({ command, payload });

const thrown = (fn: () => unknown): PeerError => errorOf(PeerError, fn);

describe('MessageDecoder', () => {
  it('skips an undecodable message and a bad checksum, as Core does, and reports each', () => {
    const bad: string[] = [];
    const decoder = new MessageDecoder((c) => bad.push(c));
    const input: Frame[] = [
      frame('ping', new Uint8Array(3)), // truncated
      frame('pong', new Uint8Array(9)), // a trailing byte
      { command: 'ping', payload: encodePayload(ping(5n)), checksum: 0 }, // bad checksum
      frame('headers', new Uint8Array([1, ...new Uint8Array(80), 1])), // a headers entry with a tx count
      frame('ping', encodePayload(ping(9n))),
    ];
    expect(input.map((f) => decoder.decode(f))).toEqual([undefined, undefined, undefined, undefined, ping(9n)]);
    expect(bad).toEqual(['ping', 'pong', 'ping', 'headers']);
  });

  it('drops the peer at once for more entries than Core allows (it disconnects for them)', () => {
    const w = new ByteWriter(64);
    w.compactSize(MAX_INV_ENTRIES + 1);
    const err = thrown(() => new MessageDecoder().decode(frame('inv', w.finish())));
    expect(err.reason).toBe('misbehaving');
    expect(err.message).toMatch(/too many inv entries/);
  });

  it(`counts a v2 packet that names no type against the same budget: the ${BAD_MESSAGE_BUDGET + 1}th within a minute drops the peer`, () => {
    const bad: string[] = [];
    const decoder = new MessageDecoder((c) => bad.push(c), asyncScheduler);
    for (let i = 0; i < BAD_MESSAGE_BUDGET; i++) decoder.dropped('unknown-short-id');
    expect(thrown(() => decoder.dropped('unknown-short-id')).reason).toBe('misbehaving');
    expect(bad).toEqual(Array(BAD_MESSAGE_BUDGET + 1).fill(V2_PACKET));
  });
});
