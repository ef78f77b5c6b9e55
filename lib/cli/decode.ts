/** `crawl decode`: one transaction per argument or per stdin line → one JSON line each, in input order. */
import type { Readable } from 'node:stream';
import { DecodeError } from '../wire/errors.js';
import { fromHex } from '../wire/hex.js';
import { NETWORKS, NETWORK_NAMES, type NetworkParams } from '../wire/network.js';
import { decodeTx } from '../wire/transaction.js';
import { MAX_BLOCK_WEIGHT } from '../tx/pow.js';
import { looksLikeBlock } from '../tx/sniff.js';
import { txLine } from '../tx/view.js';
import { NdjsonSink } from '../output/ndjson.js';
import type { Io } from '../output/io.js';
import { EXIT } from './exit.js';
import type { Args } from './parse.js';

/** What `crawl decode` says on stderr when stdin is a terminal and no argument was given. */
export const DECODE_TTY_HINT = 'crawl decode: reading raw transactions from stdin, one hex line each; end with Ctrl-D (or pass them as arguments)';

/**
 * The longest hex a raw transaction can have: two digits per byte, and no transaction is larger
 * than a block's weight allows (consensus.h MAX_BLOCK_WEIGHT, 4,000,000: a transaction with no
 * witness weighs 4 × its size, one with a witness more than its size).
 */
export const MAX_TX_HEX_CHARS = 2 * MAX_BLOCK_WEIGHT;
/** Room for whitespace around the hex on a line (indentation, CR, trailing blanks). */
export const MAX_LINE_WHITESPACE_BYTES = 65_536;
/** A stdin line longer than this is refused unread: its bytes are skipped up to the next newline. */
export const MAX_DECODE_LINE_BYTES = MAX_TX_HEX_CHARS + MAX_LINE_WHITESPACE_BYTES;

type InputLine = { readonly text: string } | { readonly tooLong: true };

/**
 * Stdin split at '\n', never holding more than MAX_DECODE_LINE_BYTES of one line: a longer line
 * is dropped as its chunks arrive and reported once it ends (readline would build the whole line
 * as one string, and a line of 512 MB or more is past V8's string limit: a crash).
 */
async function* inputLines(stdin: Readable): AsyncGenerator<InputLine> {
  let parts: Buffer[] = [];
  let held = 0;
  let tooLong = false;
  for await (const data of stdin as AsyncIterable<Buffer | string>) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!tooLong) {
        if (held + end - start > MAX_DECODE_LINE_BYTES) {
          tooLong = true;
          parts = [];
          held = 0;
        } else if (end > start) {
          parts.push(chunk.subarray(start, end));
          held += end - start;
        }
      }
      if (nl === -1) break;
      yield tooLong ? { tooLong: true } : { text: Buffer.concat(parts, held).toString('utf8') };
      parts = [];
      held = 0;
      tooLong = false;
      start = nl + 1;
    }
  }
  if (tooLong) yield { tooLong: true };
  else if (held > 0) yield { text: Buffer.concat(parts, held).toString('utf8') };
}

export async function runDecode(inputs: readonly string[], net: NetworkParams, raw: boolean, io: Io): Promise<number> {
  const out = new NdjsonSink(io.stdout);
  let bad = 0;
  let stop = false;
  out.onClose(() => {
    stop = true;
  });
  const fail = (where: string, why: string): void => {
    bad++;
    io.stderr.write(`crawl decode: ${where}: ${why}\n`);
  };
  const decodeOne = (text: string, where: string): void => {
    if (text === '') return fail(where, 'empty: expected a raw transaction in hex');
    if (text.length > MAX_TX_HEX_CHARS) return fail(where, `${text.length} hex digits: a raw transaction has at most ${MAX_TX_HEX_CHARS}`);
    let bytes: Uint8Array | undefined;
    try {
      bytes = fromHex(text);
      out.write(txLine(decodeTx(bytes), net, { raw }));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      fail(where, (bytes && looksLikeBlock(bytes)) ?? err.message);
    }
  };
  if (inputs.length > 0) {
    for (let i = 0; i < inputs.length && !stop; i++) {
      decodeOne(inputs[i].trim(), `argument ${i + 1}`);
      if (out.isBlocked) await out.drained();
    }
  } else {
    if ((io.stdin as NodeJS.ReadStream).isTTY === true) io.stderr.write(`${DECODE_TTY_HINT}\n`);
    let n = 0;
    for await (const line of inputLines(io.stdin)) {
      n++;
      if (stop) break;
      if ('tooLong' in line) {
        fail(`line ${n}`, `longer than ${MAX_DECODE_LINE_BYTES} bytes (a raw transaction's hex has at most ${MAX_TX_HEX_CHARS} digits): skipped`);
        continue;
      }
      const text = line.text.trim();
      if (text === '') continue;
      decodeOne(text, `line ${n}`);
      if (out.isBlocked) await out.drained();
    }
  }
  await out.flush();
  return bad > 0 ? EXIT.BAD_INPUT : EXIT.OK;
}

export function decodeCommand(args: Args, io: Io): Promise<number> {
  return runDecode(args.positionals, NETWORKS[args.choice('network', NETWORK_NAMES)], args.bool('raw'), io);
}
