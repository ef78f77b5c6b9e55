import { defer, mergeMap } from 'rxjs';
import type { Frame, Message } from '../wire/messages.js';
import { encodePayload } from '../wire/registry.js';
import type { Transport, Write } from './transport.js';
import { V2Session } from './v2.js';

/** Messages queued before the keys are known (our `version`, then a few at most). */
export const MAX_QUEUED_BEFORE_KEYS = 16;

/**
 * BIP 324 as the initiator: our key and garbage go out on subscribe; their key gives ours the
 * terminator and version packet; every packet after their version packet is a frame. Messages
 * sent before the keys are known wait (our P2P `version` is the first). `dropped` packets (an
 * unknown short id) are reported, as Core drops just that message.
 */
export function v2Transport(magic: number, write: Write, onDropped: (reason: string) => void = () => {}): Transport {
  const session = new V2Session({ initiator: true, magic });
  let keyed = false;
  let established = false;
  let queue: Message[] = [];
  const encrypt = (msg: Message): Uint8Array => session.encrypt(msg.command === 'unknown' ? msg.name : msg.command, encodePayload(msg));
  const transport: Transport = {
    kind: 'v2',
    frames: (source) =>
      defer(() => {
        write(session.start());
        return source.pipe(
          mergeMap((chunk) => {
            const frames: Frame[] = [];
            for (const out of session.receive(chunk)) {
              switch (out.kind) {
                case 'send':
                  write(out.bytes);
                  keyed = true;
                  for (const m of queue) write(encrypt(m));
                  queue = [];
                  break;
                case 'ready':
                  established = true;
                  break;
                case 'message':
                  frames.push({ command: out.command, payload: out.payload });
                  break;
                case 'dropped':
                  onDropped(out.reason);
                  break;
              }
            }
            return frames;
          }),
        );
      }),
    send(msg: Message) {
      if (!keyed) {
        if (queue.length >= MAX_QUEUED_BEFORE_KEYS) throw new RangeError(`more than ${MAX_QUEUED_BEFORE_KEYS} messages queued before the v2 keys`);
        queue.push(msg);
        return 0;
      }
      const bytes = encrypt(msg);
      write(bytes);
      return bytes.length;
    },
    get established() {
      return established;
    },
    get sessionId() {
      return session.sessionId;
    },
  };
  return transport;
}
