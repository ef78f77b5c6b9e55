import { Observable, type OperatorFunction } from 'rxjs';
import { DecodeError, FramingError } from '../wire/errors.js';
import { Framer } from '../wire/framer.js';
import type { Frame, Message } from '../wire/messages.js';
import { checksumLeftToDecoder, decodeMessage, maxPayloadFor } from '../wire/registry.js';
import { PeerError } from './errors.js';

/**
 * Byte chunks → frames. A framing error (bad magic, oversized length, bad checksum) ends the
 * stream with a PeerError: the byte stream cannot be trusted after it.
 */
export function frames(magic: number): OperatorFunction<Uint8Array, Frame> {
  return (source) =>
    new Observable<Frame>((subscriber) => {
      const framer = new Framer(magic, maxPayloadFor, checksumLeftToDecoder);
      return source.subscribe({
        next(chunk) {
          let out: Frame[];
          try {
            out = framer.push(chunk);
          } catch (err) {
            if (!(err instanceof FramingError)) throw err;
            subscriber.error(new PeerError('framing', `${err.reason}: ${err.message}`));
            return;
          }
          for (const f of out) {
            if (subscriber.closed) return;
            subscriber.next(f);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** Frames → typed messages. An undecodable payload ends the peer (DESIGN.md: dropped, with reason). */
export function decodeFrames(): OperatorFunction<Frame, Message> {
  return (source) =>
    new Observable<Message>((subscriber) =>
      source.subscribe({
        next(frame) {
          let msg: Message;
          try {
            msg = decodeMessage(frame);
          } catch (err) {
            if (err instanceof FramingError) subscriber.error(new PeerError('framing', `${err.reason}: ${err.message}`));
            else if (err instanceof DecodeError) subscriber.error(new PeerError('decode', `bad ${frame.command}: ${err.message}`));
            else throw err;
            return;
          }
          subscriber.next(msg);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
