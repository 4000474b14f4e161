import { exitCodesText } from '../base/exit-codes.ts';
import { loadConfig } from '../config/load.ts';
import { optionsHelp, RUN_COMMAND } from '../config/options.ts';
import { createProgress } from '../report/progress.ts';
import { planSummary, reportFileLines, summaryLine } from '../report/summary-line.ts';
import { openSource } from '../sources/open-source.ts';
import { runSync } from '../sync.ts';
import { parseFlags } from './args.ts';
import { createCliLogger } from './cli-logger.ts';
import { stopOnSignals } from './stop-on-signals.ts';
import type { CommandIo } from './io.ts';

const RUN_HELP = `Usage: loyalty-sync run --source <folder | sftp://user@host[:port]/path> [options]

One sync: read the export, send the changes to the Loyalty API, commit what it accepted, write a report.
Credentials come from env (VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY,
VIPPS_MERCHANT_SERIAL_NUMBER) or the config file's "credentials". Flags beat env, env beats the file.

Options (flag, env var, meaning):
${optionsHelp(RUN_COMMAND)}

Exit codes: ${exitCodesText()}.`;

export async function runCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags } = parseFlags(args, RUN_COMMAND.options);
  if (flags.help) {
    io.stdout.write(`${RUN_HELP}\n`);
    return 0;
  }
  const config = loadConfig(RUN_COMMAND, flags, io.env);
  const { logger, terminal } = await createCliLogger(config.logLevel, io);
  const source = openSource(config.source, config);
  const stop = stopOnSignals(logger, 'run', 'no new members are started');
  try {
    const progress = createProgress({ logger, intervalMs: config.progressSeconds * 1000, ...(terminal && { terminal }) });
    const { report, reportPath } = await runSync({ config, source, logger, signal: stop.signal, progress });
    io.stdout.write(`${summaryLine(report, reportPath)}\n${reportFileLines(report, reportPath)}`);
    if (report.status === 'dry-run') io.stdout.write(planSummary(report));
    return report.exitCode;
  } finally {
    stop.release();
    await source.close();
  }
}
