/** `crawl decode`: one transaction per argument or per stdin line → one JSON line each, in input order. */
import { createInterface } from 'node:readline';
import { DecodeError } from '../wire/errors.js';
import { fromHex } from '../wire/hex.js';
import { NETWORKS, NETWORK_NAMES, type NetworkParams } from '../wire/network.js';
import { decodeTx } from '../wire/transaction.js';
import { txLine } from '../tx/view.js';
import { NdjsonSink } from '../output/ndjson.js';
import type { Io } from '../output/io.js';
import { EXIT } from './exit.js';
import type { Args } from './parse.js';

/** What `crawl decode` says on stderr when stdin is a terminal and no argument was given. */
export const DECODE_TTY_HINT = 'crawl decode: reading raw transactions from stdin, one hex line each; end with Ctrl-D (or pass them as arguments)';

export async function runDecode(inputs: readonly string[], net: NetworkParams, raw: boolean, io: Io): Promise<number> {
  const out = new NdjsonSink(io.stdout);
  let bad = 0;
  let stop = false;
  out.onClose(() => {
    stop = true;
  });
  const decodeOne = (text: string, where: string): void => {
    if (text === '') {
      bad++;
      io.stderr.write(`crawl decode: ${where}: empty: expected a raw transaction in hex\n`);
      return;
    }
    try {
      const tx = decodeTx(fromHex(text));
      out.write(txLine(tx, net, { raw }));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      bad++;
      io.stderr.write(`crawl decode: ${where}: ${err.message}\n`);
    }
  };
  if (inputs.length > 0) {
    for (let i = 0; i < inputs.length && !stop; i++) {
      decodeOne(inputs[i].trim(), `argument ${i + 1}`);
      if (out.isBlocked) await out.drained();
    }
  } else {
    if ((io.stdin as NodeJS.ReadStream).isTTY === true) io.stderr.write(`${DECODE_TTY_HINT}\n`);
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (stop) break;
      const text = line.trim();
      if (text === '') continue;
      decodeOne(text, `line ${n}`);
      if (out.isBlocked) await out.drained();
    }
    lines.close();
  }
  await out.flush();
  return bad > 0 ? EXIT.BAD_INPUT : EXIT.OK;
}

export function decodeCommand(args: Args, io: Io): Promise<number> {
  return runDecode(args.positionals, NETWORKS[args.choice('network', NETWORK_NAMES)], args.bool('raw'), io);
}
