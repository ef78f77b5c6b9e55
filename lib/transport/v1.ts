import { defer, type OperatorFunction } from 'rxjs';
import { Framer } from '../wire/framer.js';
import type { Frame, Message } from '../wire/messages.js';
import { checksumLeftToDecoder, encodeMessage, maxPayloadFor } from '../wire/registry.js';
import { frames, type Transport, type Write } from './transport.js';

/**
 * The original transport: plaintext frames (magic, command, length, checksum). A framing error
 * (bad magic, a bad command, an oversized length) is thrown by `receive`: the byte stream cannot
 * be trusted after it.
 */
export function v1Transport(magic: number, write: Write): Transport {
  const framer = new Framer(magic, maxPayloadFor, checksumLeftToDecoder);
  return {
    kind: 'v1',
    start() {},
    receive(chunk, emit) {
      for (const frame of framer.push(chunk)) emit(frame);
    },
    send(msg: Message) {
      const bytes = encodeMessage(magic, msg);
      write(bytes);
      return bytes.length;
    },
    established: true,
    heardFrom: true,
  };
}

/** Byte chunks → v1 frames, for a stream that only reads (tests, tools). */
export function v1Frames(magic: number): OperatorFunction<Uint8Array, Frame> {
  // A transport (and its framer) per subscription, as each stream needs its own.
  return (source) => defer(() => source.pipe(frames(v1Transport(magic, () => {}))));
}
