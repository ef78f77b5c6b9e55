/**
 * The signals a crawl answers (btcd: signal.go): SIGINT or SIGTERM stops it (`stop`, once); a
 * second one while it stops exits at once (EXIT.INTERRUPTED); SIGHUP is logged and ignored.
 */
import type { Logger } from '../log/logger.js';
import { EXIT } from './exit.js';

/** Listens until the returned function is called. */
export function onStopSignals(log: Logger, stop: () => void): () => void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(EXIT.INTERRUPTED);
    log.info('stopping', { signal });
    stop();
  };
  // SIGHUP does not stop a daemon: bitcoind only reopens debug.log (init.cpp HandleSIGHUP). We
  // log to stderr and have nothing to reopen, so it is logged and otherwise ignored.
  const onHangup = (): void => log.info('SIGHUP ignored: nothing to reload (SIGINT or SIGTERM stops crawl)');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHangup);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHangup);
  };
}
