import { randomBytes, randomInt } from 'node:crypto';
import type { Message } from '../wire/messages.js';
import { encodePayload } from '../wire/registry.js';
import type { Transport, Write } from './transport.js';
import { EXPANSION } from './cipher.js';
import { V2Session } from './v2.js';
import { agree, agreesElsewhere, takeKey, withKey, type EphemeralKey } from './key-pool.js';
import type { FrameSink } from './transport.js';
import type { V2Output } from './v2-types.js';

/** Messages queued before the keys are known (our `version`, then a few at most). */
export const MAX_QUEUED_BEFORE_KEYS = 16;
const NOTHING_QUEUED: never[] = [];
/**
 * Our garbage as initiator: at most this many random bytes (BIP 324 allows 4,095). A v1-only
 * node reads our key and garbage as 24-byte v1 headers with a bad magic; bcoin 1.0.2 adds 10 ban
 * points for each and bans the address for a day at 100, so key + garbage stay under 240 bytes
 * (at most 9 headers): trying v2 must not cost us the v1 fallback.
 */
export const INITIATOR_MAX_GARBAGE = 175;

/**
 * BIP 324 as the initiator: our key and garbage go out on `start`; their key gives ours the
 * terminator and version packet; every packet after their version packet is a frame. Messages
 * sent before the keys are known wait (our P2P `version` is the first). A packet that names no
 * message type (an unknown short id) is told to receive's `dropped`, as Core drops just that
 * message; the caller counts it against the peer's bad-message budget.
 */
export function v2Transport(magic: number, write: Write): Transport {
  const garbage = randomBytes(randomInt(0, INITIATOR_MAX_GARBAGE + 1));
  let session: V2Session | undefined;
  // The session begins with our key (key-pool.ts: made ahead, in a worker when it can be): when
  // start() gets one, or at once with one made here if the peer speaks first (a v1 node may).
  // The session keeps its own copy of the key; this one is wiped.
  const begin = (key: EphemeralKey): V2Session => {
    if (session === undefined) {
      session = new V2Session({ initiator: true, magic, privkey: key.privkey, ellswift: key.ellswift, garbage, agreeOutside: agreesElsewhere() });
      write(session.start());
    }
    key.privkey.fill(0);
    return session;
  };
  let heard = false;
  let keyed = false;
  let established = false;
  /** Messages sent before the keys, encoded (their size on the wire is known before they are sealed). */
  let queue: Array<{ readonly command: string; readonly payload: Uint8Array }> = [];
  const commandOf = (msg: Message): string => (msg.command === 'unknown' ? msg.name : msg.command);
  /** The outputs of session `s`. */
  const handle = (s: V2Session, outputs: readonly V2Output[], sink: FrameSink): void => {
    for (const out of outputs) {
      switch (out.kind) {
        case 'agree':
          // Their key is decoded in the key worker; the session goes on when it is, inside
          // resume's error handling (the rest of the secret's computation included).
          agree(out.request, (secret) => sink.resume(() => step(s, sink, (outs) => s.agreed(secret(), outs))));
          break;
        case 'send':
          write(out.bytes);
          keyed = true;
          for (const m of queue) write(s.encrypt(m.command, m.payload));
          queue = NOTHING_QUEUED;
          break;
        case 'ready':
          established = true;
          break;
        case 'message':
          sink.frame({ command: out.command, payload: out.payload, wireBytes: out.bytes + EXPANSION });
          break;
        case 'dropped':
          sink.dropped(out.reason);
          break;
      }
    }
  };
  /** Runs one of the session's steps and handles its outputs, those made before it threw too (V2Session.receive). */
  const step = (s: V2Session, sink: FrameSink, run: (outs: V2Output[]) => void): void => {
    const outs: V2Output[] = [];
    try {
      run(outs);
    } finally {
      handle(s, outs, sink);
    }
  };
  const transport: Transport = {
    kind: 'v2',
    start() {
      withKey(begin);
    },
    receive(chunk, sink) {
      heard = true;
      const s = session ?? begin(takeKey());
      step(s, sink, (outs) => s.receive(chunk, outs));
    },
    send(msg: Message) {
      if (!keyed || session === undefined) {
        if (queue.length >= MAX_QUEUED_BEFORE_KEYS) throw new RangeError(`more than ${MAX_QUEUED_BEFORE_KEYS} messages queued before the v2 keys`);
        const queued = { command: commandOf(msg), payload: encodePayload(msg) };
        queue.push(queued);
        return V2Session.packetBytes(queued.command, queued.payload.length);
      }
      const bytes = session.encrypt(commandOf(msg), encodePayload(msg));
      write(bytes);
      return bytes.length;
    },
    get established() {
      return established;
    },
    get heardFrom() {
      return heard;
    },
    get sessionId() {
      return session?.sessionId;
    },
  };
  return transport;
}
