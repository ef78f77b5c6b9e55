import { Framer } from '../wire/framer.js';
import type { Message } from '../wire/messages.js';
import { checksumLeftToDecoder, encodeMessage, maxPayloadFor } from '../wire/registry.js';
import type { Transport, Write } from './transport.js';

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
    receive(chunk, sink) {
      for (const frame of framer.push(chunk)) sink.frame(frame);
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
