import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { NdjsonSink } from '../../lib/output/ndjson.js';

/** A writable that holds everything until released: a reader that has stopped reading. */
function stalledReader(highWaterMark: number): Writable & { release(): void; data: string[] } {
  const pending: Array<() => void> = [];
  let released = false;
  const data: string[] = [];
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      data.push(chunk.toString());
      if (released) cb();
      else pending.push(cb);
    },
  }) as Writable & { release(): void; data: string[] };
  w.data = data;
  w.release = () => {
    released = true;
    for (const cb of pending.splice(0)) cb();
  };
  return w;
}

describe('NdjsonSink', () => {
  it('reports backpressure when the reader falls behind and clears it on drain', async () => {
    const stream = stalledReader(64);
    const sink = new NdjsonSink(stream);
    const states: boolean[] = [];
    sink.onPressure((b) => states.push(b));
    let writes = 0;
    // Lines of one burst go out together at its end: write until the stream pushes back.
    while (!sink.isBlocked) {
      sink.write(JSON.stringify({ n: writes++ }));
      if (writes % 10 === 0) await Promise.resolve();
    }
    writes--;
    const drained = sink.drained();
    stream.release();
    await drained;
    expect(sink.isBlocked).toBe(false);
    expect(states).toEqual([true, false]);
    expect(stream.data.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l).n)).toEqual([...Array(writes + 1).keys()]);
  });

  it('treats a reader that has gone away as a quiet end', async () => {
    const stream = stalledReader(64);
    const sink = new NdjsonSink(stream);
    const closed = new Promise<string>((resolve) => sink.onClose((reason) => resolve(reason)));
    stream.destroy();
    sink.write('{}');
    expect(await closed).toBe('epipe');
    expect(sink.write('{}')).toBe(false);
    expect(sink.closed).toBe(true);
  });
});
