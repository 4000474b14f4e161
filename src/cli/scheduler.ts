// Runs a job on a cron schedule (node-cron), never two at once: a tick while a run is in progress is
// skipped and logged. stop() lets the current run finish.
import cron from 'node-cron';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface ScheduleOptions {
  expression: string;
  timeZone: string;
  runOnStart: boolean;
  job: () => Promise<void>;
  logger: Logger;
}

export interface Schedule {
  /** No new runs; resolves once the run in progress (if any) has finished. */
  stop(): Promise<void>;
  nextRun(): Date | null;
}

export function startSchedule(options: ScheduleOptions): Schedule {
  const check = cron.validateDetailed(options.expression);
  if (!check.valid) {
    throw new ConfigError(`invalid cron expression "${options.expression}": ${check.errors.map((error) => `${error.field}: ${error.message}`).join('; ')}`);
  }
  const { logger } = options;
  let current: Promise<void> | undefined;
  const runJob = () => {
    if (current) {
      logger.warn({ stage: 'schedule' }, 'tick skipped: the previous run is still in progress');
      return current;
    }
    current = options.job().finally(() => {
      current = undefined;
      logger.info({ stage: 'schedule', nextRun: task.getNextRun()?.toISOString() }, 'waiting for the next tick');
    });
    return current;
  };
  const task = cron.schedule(options.expression.trim(), () => runJob(), { timezone: options.timeZone, name: 'loyalty-sync' });
  logger.info({ stage: 'schedule', cron: options.expression, timeZone: options.timeZone, nextRun: task.getNextRun()?.toISOString() }, 'scheduled');
  if (options.runOnStart) void runJob();
  return {
    async stop() {
      await task.stop();
      await task.destroy();
      await current;
    },
    nextRun: () => task.getNextRun(),
  };
}
