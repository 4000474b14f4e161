import { loadConfig, type OptionSpec } from '../config/load.ts';
import { z } from 'zod';
import { runsTable } from '../state/runs.ts';
import { openStateStore } from '../state/store.ts';
import { parseFlags } from './args.ts';
import { EXIT } from './exit-codes.ts';
import type { CommandIo } from './io.ts';

const STATUS_OPTIONS: readonly OptionSpec[] = [
  { key: 'state', flag: 'state', type: 'string', help: 'state file (default loyalty-sync.sqlite)' },
  { key: 'limit', flag: 'limit', type: 'string', help: 'how many runs (default 10)' },
  { key: 'json', flag: 'json', type: 'boolean', help: 'print JSON' },
];
const statusSchema = z.object({
  state: z.string().default('loyalty-sync.sqlite'),
  limit: z.coerce.number().int().min(1).max(1000).default(10),
  json: z.boolean().default(false),
});

export const STATUS_HELP = 'Usage: loyalty-sync status [--state <file>] [--limit N] [--json]\n\nThe last runs recorded in the state file.';

export async function statusCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags } = parseFlags(args, STATUS_OPTIONS);
  if (flags.help) {
    io.stdout.write(`${STATUS_HELP}\n`);
    return EXIT.ok;
  }
  const config = loadConfig(statusSchema, STATUS_OPTIONS, flags, io.env);
  const store = openStateStore(config.state, { readOnly: true });
  try {
    const runs = runsTable(store.db).recent(config.limit);
    if (config.json) {
      io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return EXIT.ok;
    }
    if (runs.length === 0) io.stdout.write('no runs recorded yet\n');
    for (const run of runs) {
      const s = run.summary;
      const counts = s
        ? `${s.members.total} members (${s.members.new} new, ${s.members.changed} changed, ${s.members.deleted} deleted, ${s.members.failed} failed) · ${s.events.accepted}/${s.events.planned} events · ${s.rows.rejected} rejected rows · ${(s.durationsMs.total / 1000).toFixed(1)} s`
        : '';
      io.stdout.write(`${run.startedAt}  ${run.status.padEnd(9)}  ${run.runId}  ${counts}\n`);
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
