/** The entry behind bin/crawl.ts: argv → a command → its exit status. */
import { EndpointError } from '../net/endpoint.js';
import { UsageError } from '../crawler/options.js';
import type { Io } from '../output/io.js';
import { EXIT } from './exit.js';
import { helpText } from './help.js';
import type { CommandName } from './options.js';
import { parseArgs, type Args } from './parse.js';

export const VERSION = '0.1.0';

/**
 * Each command's module is loaded only when it runs: `crawl decode` needs no sockets, `crawl` no
 * NATS consumer (merge); every start-up pays for what it imports (rxjs, yargs, winston, the NATS
 * client: about half a second of CPU in all).
 */
const RUN: Record<CommandName, (args: Args, io: Io) => Promise<number>> = {
  crawl: async (args, io) => (await import('./crawl.js')).crawlCommand(args, io),
  decode: async (args, io) => (await import('./decode.js')).decodeCommand(args, io),
  merge: async (args, io) => (await import('./merge.js')).mergeCommand(args, io),
  report: async (args, io) => (await import('./report.js')).reportCommand(args, io),
};

/** Parses argv and runs a command; resolves to the exit status. Never throws for bad input. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const args = parseArgs(argv, io.env);
    for (const w of args.warnings) io.stderr.write(`${w}\n`);
    if (args.bool('help')) {
      io.stdout.write(`${await helpText(args.command, (io.stdout as NodeJS.WriteStream).columns)}\n`);
      return EXIT.OK;
    }
    if (args.bool('version')) {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.OK;
    }
    return await RUN[args.command](args, io);
  } catch (err) {
    // A malformed host:port (lib/net/endpoint.ts) is the user's mistake too.
    if (err instanceof UsageError || err instanceof EndpointError) {
      io.stderr.write(`crawl: ${err.message}\n`);
      return EXIT.USAGE;
    }
    throw err;
  }
}
