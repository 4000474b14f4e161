import { loadConfig } from '../config/load.ts';
import { optionsHelp, STATUS_COMMAND } from '../config/options.ts';
import { formatTime } from '../report/display-format.ts';
import { runCounts } from '../report/summary-line.ts';
import { runsTable } from '../state/runs.ts';
import { parseFlags } from './args.ts';
import { EXIT } from '../base/exit-codes.ts';
import type { CommandIo } from './io.ts';
import { openExistingStateFile } from './read-state-file.ts';


const STATUS_HELP = `Usage: loyalty-sync status [--state <file>] [--limit N] [--json] [--time-zone <zone>]

The last runs recorded in the state file, newest first, with the counts of their summary lines; times in
--time-zone, as in the reports.

Options (flag, env var, meaning):
${optionsHelp(STATUS_COMMAND)}`;

export async function statusCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags } = parseFlags(args, STATUS_COMMAND.options);
  if (flags.help) {
    io.stdout.write(`${STATUS_HELP}\n`);
    return EXIT.ok;
  }
  const config = loadConfig(STATUS_COMMAND, flags, io.env);
  const store = openExistingStateFile(config.state, { readOnly: true });
  try {
    const runs = runsTable(store.db).recent(config.limit);
    if (config.json) {
      io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return EXIT.ok;
    }
    if (runs.length === 0) io.stdout.write('no runs recorded yet\n');
    for (const run of runs) {
      const s = run.summary;
      const counts = s ? runCounts({ status: run.status, summary: s }).join(' · ') : '';
      io.stdout.write(`${formatTime(run.startedAt, config.timeZone)}  ${run.status.padEnd(9)}  ${run.runId}  ${counts}\n`);
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
