// SIGTERM and SIGINT for a command that runs the job: the first asks it to stop (no new work; requests in
// flight get their grace period), a second quits at once.
import type { Logger } from '../log.ts';

export interface StopOnSignals {
  signal: AbortSignal;
  /** Stops listening (the command is done). */
  release(): void;
}

export function stopOnSignals(logger: Logger, stage: string, stopping: string): StopOnSignals {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    logger.warn({ stage, signal }, `stopping: ${stopping}; in-flight requests finish (signal again to quit at once)`);
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal: stop.signal,
    release() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
