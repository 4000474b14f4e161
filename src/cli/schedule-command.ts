import { loadConfig } from '../config/load.ts';
import { optionsHelp, SCHEDULE_COMMAND } from '../config/options.ts';
import { reportFileLines, summaryLine } from '../report/summary-line.ts';
import { openSource } from '../sources/open-source.ts';
import type { Source } from '../sources/source.ts';
import { runSync } from '../sync.ts';
import { parseFlags } from './args.ts';
import { createCliLogger } from './cli-logger.ts';
import { EXIT, exitCodeOf } from '../base/exit-codes.ts';
import type { CommandIo } from './io.ts';
import { startSchedule } from './scheduler.ts';

const SCHEDULE_HELP = `Usage: loyalty-sync schedule --cron "<expression>" --source <…> [run options]

Runs 'loyalty-sync run' on a cron schedule inside this process, never two runs at once (a tick during
a run is skipped and logged). SIGTERM/SIGINT stop it after the current run; a second signal also stops
the current run (with its grace period).

Options (flag, env var, meaning):
${optionsHelp(SCHEDULE_COMMAND)}`;

export async function scheduleCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags } = parseFlags(args, SCHEDULE_COMMAND.options);
  if (flags.help) {
    io.stdout.write(`${SCHEDULE_HELP}\n`);
    return EXIT.ok;
  }
  const config = loadConfig(SCHEDULE_COMMAND, flags, io.env);
  const { logger } = await createCliLogger(config.logLevel, io);
  const abortRun = new AbortController();

  const job = async () => {
    let source: Source | undefined;
    try {
      source = openSource(config.source, config);
      const { report, reportPath } = await runSync({ config, source, logger, signal: abortRun.signal });
      io.stdout.write(`${summaryLine(report, reportPath)}\n${reportFileLines(report, reportPath)}`);
    } catch (error) {
      // A run that could not start (lock held, unreadable state) is logged; the schedule goes on.
      logger.error({ stage: 'schedule', exitCode: exitCodeOf(error), err: error }, 'run could not start');
    } finally {
      await source?.close();
    }
  };
  const schedule = startSchedule({ expression: config.cron, timeZone: config.cronTimeZone ?? config.timeZone, runOnStart: config.runOnStart, job, logger });

  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        logger.warn({ stage: 'schedule', signal }, 'stopping after the current run (signal again to stop it too)');
        void schedule.stop().then(resolve);
      } else {
        abortRun.abort();
      }
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  logger.info({ stage: 'schedule' }, 'stopped');
  return EXIT.ok;
}
