/** `crawl decode` run in-process through main(), with streams of our own (the binary: spec/cli.spec.ts). */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { main } from '../../lib/cli/main.js';
import { DECODE_TTY_HINT } from '../../lib/cli/decode.js';
import { TX_VECTORS } from '../support/txs.js';

async function run(argv: string[], input: string | undefined, opts: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (opts.tty) Object.assign(stdin, { isTTY: true });
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const status = main(argv, { stdin, stdout, stderr, env: opts.env ?? {} });
  stdin.end(input);
  return { code: await status, stdout: out, stderr: err };
}

describe('crawl decode', () => {
  it('says what it expects on stderr when stdin is a terminal', async () => {
    const r = await run(['decode'], '', { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`${DECODE_TTY_HINT}\n`);
  });

  it('is quiet when stdin is not a terminal, or when arguments are given', async () => {
    expect((await run(['decode'], '')).stderr).toBe('');
    expect((await run(['decode', TX_VECTORS[0].hex], undefined, { tty: true })).stderr).toBe('');
  });

  it('names an empty argument, a NUL, a 0x prefix and an odd length for what they are', async () => {
    const hex = TX_VECTORS[0].hex;
    const r = await run(['decode', '', `0x${hex}`, `${hex.slice(0, 10)}\0${hex.slice(10)}`, hex.slice(1), hex.toUpperCase()], undefined);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'crawl decode: argument 1: empty: expected a raw transaction in hex',
      'crawl decode: argument 2: not hex: drop the "0x" prefix',
      'crawl decode: argument 3: not hex: "\\u0000" at character 11 (only 0-9, a-f and A-F are allowed)',
      `crawl decode: argument 4: hex has an odd number of digits (${hex.length - 1})`,
    ]);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('ignores CRAWL_HEX (with a warning) and crawl-only variables', async () => {
    const r = await run(['decode'], '', { env: { CRAWL_HEX: TX_VECTORS[0].hex, CRAWL_PEERS: 'x y' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('crawl: warning: ignoring CRAWL_HEX: no flag --hex\n');
  });

  it('--help lists only its own flags', async () => {
    const r = await run(['decode', '--help'], undefined);
    expect(r.code).toBe(0);
    for (const flag of ['--network', '--raw', '--help', '--version']) expect(r.stdout).toContain(flag);
    for (const flag of ['--peers', '--ping-interval', '--emit', '--log-level']) expect(r.stdout).not.toContain(flag);
  });
});
