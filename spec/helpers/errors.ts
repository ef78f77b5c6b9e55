import { FramingError } from '../../lib/wire/errors.js';

/** The FramingError that `fn` throws; anything else (or nothing) fails the test. */
export function framingErrorOf(fn: () => unknown): FramingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FramingError) return err;
    throw new Error(`expected a FramingError, got ${String(err)}`);
  }
  throw new Error('expected a FramingError, nothing was thrown');
}
