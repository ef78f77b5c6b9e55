/** The --nats flags' defaults, apart from the client (lib/output/nats.ts), so that the option table does not load it. */

/**
 * Lines published but not yet acknowledged (JetStream) or not yet handed to a connected client
 * (core NATS), at most; past it new lines are dropped and counted. The default holds several minutes
 * of the network's transactions (~10 tx/s) while the bus is away. `--nats-buffer` changes it.
 */
export const DEFAULT_NATS_BUFFER = 10_000;
/** The stream's defaults: a week of lines, 1 GiB at most, oldest dropped first (JetStream's own policy). */
export const DEFAULT_STREAM = 'BITCRAWL';
export const DEFAULT_MAX_AGE_S = 7 * 86_400;
export const DEFAULT_MAX_BYTES = 1024 ** 3;
