/** Exit statuses, documented in the README and in `crawl --help`. */
export const EXIT = { OK: 0, BAD_INPUT: 1, USAGE: 2, FAILED: 3 } as const;

/** The exit statuses as `--help` shows them (the README's table says the same at more length). */
export const EXIT_HELP = [
  'Exit statuses:',
  '  0  stopped by SIGINT or SIGTERM (SIGHUP is logged and ignored, as by bitcoind); stdout closed',
  '     by its reader; a census done; no peer left to redial after one connected (see 1)',
  '  1  decode: a bad input line; crawl: no peer left to redial and none ever connected (with',
  '     --no-reconnect, or every peer of another network: never redialled), metrics port taken',
  '  2  a bad flag or argument (one line on stderr)',
  '  3  an internal error',
].join('\n');
