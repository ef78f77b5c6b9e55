/** emitEach: any number of outputs per input, synchronously, and a throw is the stream's error. */
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { Subject } from 'rxjs';
import { emitEach } from '../../lib/transport/emit-each.js';

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('emitEach', () => {
  it('emits what the projection emits, in order, none or many per value, and completes with the source', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a---b---c|', { a: 0, b: 2, c: 1 });
      const out = source.pipe(
        emitEach<number, string>((n, emit) => {
          for (let i = 0; i < n; i++) emit(`${n}.${i}`);
        }),
      );
      expectObservable(out).toBe('----(xy)z|', { x: '2.0', y: '2.1', z: '1.0' });
    });
  });

  it('turns a throw into the stream\'s error, after what was emitted before it, and unsubscribes the source', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c|', { a: 1, b: 2, c: 3 });
      const out = source.pipe(
        emitEach<number, number>((n, emit) => {
          emit(n);
          if (n === 2) throw new Error('boom');
        }),
      );
      expectObservable(out).toBe('a-(b#)', { a: 1, b: 2 }, new Error('boom'));
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('passes the source\'s error on', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', { a: 1 }, 'bad').pipe(emitEach<number, number>((n, emit) => emit(n * 10)))).toBe('a-#', { a: 10 }, 'bad');
    });
  });

  it('emits nothing after its subscriber unsubscribes in the middle of a value', () => {
    const source = new Subject<number>();
    const seen: number[] = [];
    const sub = source
      .pipe(
        emitEach<number, number>((n, emit) => {
          emit(n);
          emit(n + 1);
        }),
      )
      .subscribe((v) => {
        seen.push(v);
        if (v === 1) sub.unsubscribe();
      });
    source.next(1);
    source.next(5);
    expect(seen).toEqual([1]);
    expect(source.observed).toBe(false);
  });
});
