import { defer, type OperatorFunction } from 'rxjs';
import { emitEach } from './emit-each.js';
import { Framer } from '../wire/framer.js';
import type { Frame, Message } from '../wire/messages.js';
import { checksumLeftToDecoder, encodeMessage, maxPayloadFor } from '../wire/registry.js';
import type { Transport, Write } from './transport.js';

/**
 * Byte chunks → frames (v1: magic, command, length, checksum). A framing error (bad magic, a bad
 * command, an oversized length) ends the stream: the byte stream cannot be trusted after it.
 * Anything thrown inside is the stream's error (emitEach), never the process's.
 */
export function v1Frames(magic: number): OperatorFunction<Uint8Array, Frame> {
  return (source) =>
    defer(() => {
      const framer = new Framer(magic, maxPayloadFor, checksumLeftToDecoder);
      return source.pipe(
        emitEach<Uint8Array, Frame>((chunk, emit) => {
          for (const frame of framer.push(chunk)) emit(frame);
        }),
      );
    });
}

/** The original transport: plaintext frames. */
export function v1Transport(magic: number, write: Write): Transport {
  return {
    kind: 'v1',
    frames: v1Frames(magic),
    send(msg: Message) {
      const bytes = encodeMessage(magic, msg);
      write(bytes);
      return bytes.length;
    },
    established: true,
    heardFrom: true,
  };
}
