import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { DecodeError, LimitError } from '../wire/errors.js';
import type { Frame, Message } from '../wire/messages.js';
import { decodeMessage } from '../wire/registry.js';
import { RateBudget } from './budget.js';
import { PeerError } from './errors.js';

/** What a v2 packet that names no message type is called in logs and metrics (`command="other"`). */
export const V2_PACKET = 'v2 packet';

/** Told of each message skipped as undecodable or corrupt. */
export type OnBadMessage = (command: string, err: DecodeError) => void;

/**
 * Frames → typed messages, one peer's. As in Core (net_processing.cpp ProcessMessages catches the
 * decode exception and goes on; net.cpp drops a frame with a bad checksum), an undecodable or
 * corrupt message costs only itself: `decode` gives undefined and tells `onBad`. It throws a
 * PeerError (misbehaving) when the peer breaks a limit Core disconnects for (LimitError), or once
 * it has sent more than its RateBudget of bad messages.
 */
export class MessageDecoder {
  private readonly budget = new RateBudget();

  constructor(
    private readonly onBad: OnBadMessage = () => {},
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {}

  decode(frame: Frame): Message | undefined {
    try {
      return decodeMessage(frame);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      if (err instanceof LimitError) throw new PeerError('misbehaving', `bad ${frame.command}: ${err.message}`);
      this.skip(frame.command, err);
      return undefined;
    }
  }

  /**
   * An authentic v2 packet that names no message type (Transport.receive's `dropped`): Core drops
   * just that message, and so do we, but it spends the budget like any bad message. Uncounted, a
   * peer sent 16.5 MB of 21-byte packets and got 745,000 log lines in 12 s (issue 19).
   */
  dropped(reason: string): void {
    this.skip(V2_PACKET, new DecodeError(reason));
  }

  private skip(command: string, err: DecodeError): void {
    this.onBad(command, err);
    if (!this.budget.spend(this.scheduler.now())) {
      throw new PeerError('misbehaving', `more than ${this.budget.budget} bad messages within ${this.budget.windowMs / 1000} s; the last: bad ${command}: ${err.message}`);
    }
  }
}
