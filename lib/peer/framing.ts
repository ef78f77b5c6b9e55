import { asyncScheduler, defer, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { emitEach } from '../transport/emit-each.js';
import { DecodeError, LimitError } from '../wire/errors.js';
import type { Frame, Message } from '../wire/messages.js';
import { decodeMessage } from '../wire/registry.js';
import { RateBudget } from './budget.js';
import { PeerError } from './errors.js';

/** Told of each message skipped as undecodable or corrupt. */
export type OnBadMessage = (command: string, err: DecodeError) => void;

/**
 * Frames → typed messages. As in Core (net_processing.cpp ProcessMessages catches the decode
 * exception and goes on; net.cpp drops a frame with a bad checksum), an undecodable or corrupt
 * message costs only itself: it is skipped and reported to `onBad`. The peer is dropped when it
 * breaks a limit Core disconnects for (LimitError), or once it has sent more than its RateBudget
 * of bad messages.
 */
export function decodeFrames(onBad: OnBadMessage = () => {}, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<Frame, Message> {
  return (source) =>
    defer(() => {
      const budget = new RateBudget();
      return source.pipe(
        emitEach<Frame, Message>((frame, emit) => {
          let msg: Message;
          try {
            msg = decodeMessage(frame);
          } catch (err) {
            if (!(err instanceof DecodeError)) throw err;
            const what = `bad ${frame.command}: ${err.message}`;
            if (err instanceof LimitError) throw new PeerError('misbehaving', what);
            onBad(frame.command, err);
            if (!budget.spend(scheduler.now())) {
              throw new PeerError('misbehaving', `more than ${budget.budget} bad messages within ${budget.windowMs / 1000} s; the last: ${what}`);
            }
            return;
          }
          emit(msg);
        }),
      );
    });
}
