/**
 * Bad messages (undecodable, bad checksum) a peer may send before it is dropped: Core skips each
 * one and keeps the peer, but a peer that sends nothing else is worth nothing to a crawler.
 */
export const BAD_MESSAGE_BUDGET = 10;
/** The window the budget applies to. */
export const BAD_MESSAGE_WINDOW_MS = 60_000;

/** At most `budget` events within any `windowMs`: pure, the caller passes the time. */
export class RateBudget {
  /** Made at the first bad message: most peers never send one. */
  private times: number[] | undefined;

  constructor(
    readonly budget: number = BAD_MESSAGE_BUDGET,
    readonly windowMs: number = BAD_MESSAGE_WINDOW_MS,
  ) {}

  /** Records one event at `now`; false once more than `budget` fall within the window. */
  spend(now: number): boolean {
    const times = (this.times ??= []);
    while (times.length > 0 && times[0] <= now - this.windowMs) times.shift();
    times.push(now);
    return times.length <= this.budget;
  }
}
