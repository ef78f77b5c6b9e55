import { Observable, type OperatorFunction } from 'rxjs';

/**
 * Each value in, any number out, synchronously: `project(value, emit)` calls `emit` for every
 * output. What `mergeMap(v => array)` does, without its cost: mergeMap subscribes an inner
 * observable to every value, and on a connection's hot path (every chunk → frames → messages →
 * events, three such stages) those inner subscriptions were most of the crawler's RxJS time at
 * 10,000 peers (BENCHMARKS.md). Anything `project` throws is this stream's error, never the
 * process's (and the values it emitted before the throw stand).
 */
export function emitEach<T, R>(project: (value: T, emit: (out: R) => void) => void): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const emit = (out: R): void => subscriber.next(out);
      return source.subscribe({
        next(value) {
          try {
            project(value, emit);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
