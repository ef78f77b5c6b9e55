import { Framer } from '../wire/framer.js';
import type { Frame, Message } from '../wire/messages.js';
import { checksumLeftToDecoder, encodeMessage, maxPayloadFor } from '../wire/registry.js';
import type { Transport, Write } from './transport.js';

/**
 * The original transport: plaintext frames (magic, command, length, checksum). A framing error
 * (bad magic, a bad command, an oversized length) is thrown by `receive`, once the frames before
 * it went to the sink: the byte stream cannot be trusted after it.
 */
export function v1Transport(magic: number, write: Write): Transport {
  const framer = new Framer(magic, maxPayloadFor, checksumLeftToDecoder);
  return {
    kind: 'v1',
    start() {},
    receive(chunk, sink) {
      // The frames before a framing error in this chunk go on first: what the sink sees does not
      // depend on where the stream was cut (Framer.push). A sink's throw ends the peer likewise.
      const frames: Frame[] = [];
      try {
        framer.push(chunk, frames);
      } finally {
        for (const frame of frames) sink.frame(frame);
      }
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
