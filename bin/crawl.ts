#!/usr/bin/env node
import { main } from '../lib/cli/main.js';

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    // A bug, not bad input: say so in one line; the stack only with DEBUG set.
    process.stderr.write(`crawl: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 3;
  },
);
