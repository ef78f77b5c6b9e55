import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boundedLines, type LineItem } from '../../lib/merge/lines.js';

async function collect(chunks: readonly string[], max: number): Promise<LineItem[]> {
  async function* source(): AsyncGenerator<Buffer> {
    for (const c of chunks) yield Buffer.from(c);
  }
  const out: LineItem[] = [];
  for await (const item of boundedLines(source(), max)) out.push(item);
  return out;
}

describe('boundedLines', () => {
  it('splits on newlines across chunks, drops a \\r before one, keeps a last line without one', async () => {
    expect(await collect(['ab', 'c\r\nde\n', '\nf'], 10)).toEqual([{ line: 'abc' }, { line: 'de' }, { line: '' }, { line: 'f' }]);
  });

  it('a line over the bound is skipped and measured, the next one read', async () => {
    expect(await collect(['12345', '678', '9\nok\n', 'x'.repeat(20)], 8)).toEqual([{ over: 9 }, { line: 'ok' }, { over: 20 }]);
    // Exactly at the bound is a line.
    expect(await collect(['12345678\n'], 8)).toEqual([{ line: '12345678' }]);
  });

  it('gives what splitting the whole text gives, whatever the chunks (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('a', 'b', '\n', 'é'), { maxLength: 60 }), fc.array(fc.nat(10), { maxLength: 10 }), async (chars, cuts) => {
        const text = chars.join('');
        const chunks: string[] = [];
        let rest = text;
        for (const c of cuts) {
          chunks.push(rest.slice(0, c));
          rest = rest.slice(c);
        }
        chunks.push(rest);
        const lines = text.split('\n');
        if (lines.at(-1) === '') lines.pop();
        const expected = lines.map((l) => (Buffer.byteLength(l) > 6 ? { over: Buffer.byteLength(l) } : { line: l }));
        expect(await collect(chunks, 6)).toEqual(expected);
      }),
    );
  });
});
