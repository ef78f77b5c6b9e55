/** Exit statuses, documented in the README and in `crawl --help`. */
export const EXIT = {
  OK: 0,
  /** decode: a bad input line; report: an unreadable file. */
  BAD_INPUT: 1,
  /** crawl: no peer to start from, none ever connected, or the metrics port taken. */
  NO_PEERS: 1,
  /** crawl: stdout failed (not closed by its reader: that is OK). */
  OUTPUT_FAILED: 1,
  /** A bad flag or argument (UsageError). */
  USAGE: 2,
  /** An internal error. */
  FAILED: 3,
  /** A second SIGINT or SIGTERM while stopping: out at once (128 + SIGINT's 2, as shells report it). */
  INTERRUPTED: 130,
} as const;
export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

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
