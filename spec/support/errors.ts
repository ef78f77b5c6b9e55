/** What a test expects to be thrown: one helper a shape, for every error class. */
import { lastValueFrom, type Observable } from 'rxjs';
import { PeerError } from '../../lib/peer/errors.js';

/** An error class (FramingError, DecodeError, V2Error, ProxyError, PeerError, …). */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The `type` error that `fn` throws; anything else (or nothing) fails the test. */
export function errorOf<E extends Error>(type: ErrorClass<E>, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw new Error(`expected a ${type.name}, got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

/** Runs `fn` and fails unless it returns or throws a `type` error. */
export function onlyErrors<E extends Error>(type: ErrorClass<E>, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof type)) throw new Error(`expected only ${type.name}, got ${String(err)}`, { cause: err });
  }
}

/** The `type` error that `p` rejects with; resolving, or another error, fails the test. */
export async function rejectionOf<E extends Error>(type: ErrorClass<E>, p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (err) {
    if (err instanceof type) return err;
    throw new Error(`expected a ${type.name}, got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected a ${type.name}, the promise resolved`);
}

/** The PeerError a session's events end with; completing, or another error, fails the test. */
export function peerErrorOf(events: Observable<unknown>): Promise<PeerError> {
  return rejectionOf(PeerError, lastValueFrom(events));
}
