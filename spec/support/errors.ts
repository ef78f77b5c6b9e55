import { lastValueFrom, type Observable } from 'rxjs';
import { FramingError } from '../../lib/wire/errors.js';
import { ProxyError } from '../../lib/net/negotiation.js';
import { PeerError } from '../../lib/peer/errors.js';

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

/** The ProxyError that `fn` throws; anything else (or nothing) fails the test. */
export function proxyErrorOf(fn: () => unknown): ProxyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProxyError) return err;
    throw err;
  }
  throw new Error('expected a ProxyError, nothing was thrown');
}

/** The PeerError a session's events end with; completing, or another error, fails the test. */
export async function peerErrorOf(events: Observable<unknown>): Promise<PeerError> {
  try {
    await lastValueFrom(events);
  } catch (err) {
    if (err instanceof PeerError) return err;
    throw err;
  }
  throw new Error('the session completed instead of dropping the peer');
}
