import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { optionsHelp, VALIDATE_COMMAND } from '../config/options.ts';
import { UsageError } from '../errors.ts';
import { ingestExport } from '../ingest/ingest-export.ts';
import { type IngestFile, type Reject } from '../base/export-shapes.ts';
import { EXPORT_KINDS } from '../base/kinds.ts';
import { rejectLine } from '../ingest/shown-value.ts';
import { mergeStaged, orphanReject } from '../run/plan-lane.ts';
import { refuseEmptyFiles } from '../plan/guards.ts';
import { planRun } from '../plan/plan-run.ts';
import { redactText } from '../privacy/redact.ts';
import { fileKinds } from '../sources/file-kinds.ts';
import { createStagingArea } from '../state/staging.ts';
import { parseFlags } from './args.ts';
import { EXIT } from '../base/exit-codes.ts';
import type { CommandIo } from './io.ts';

const VALIDATE_HELP = `Usage: loyalty-sync validate <file.csv>... [options]

Reads and checks export files the way a run does, through the same code, and prints every rejected row
(file:line column: reason): bad values, duplicate keys, item rows whose member is not in the members
file (when a members file is given), a missing or doubled column, a file that is not CSV text, an empty
members file. Nothing is sent and no state is touched. What needs the state file (rows or columns
compared with the last run, the mass-delete and mass-clear guards) is left to \`run --dry-run\`.

Exit codes: 0 every row is valid · 1 rows were rejected, or a file cannot be read or misses a column ·
2 usage or configuration error · 4 a file a run would refuse (an empty members file, an item file
without a header).

Options:
${optionsHelp(VALIDATE_COMMAND)}`;

export async function validateCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positionals } = parseFlags(args, VALIDATE_COMMAND.options, true);
  if (flags.help) {
    io.stdout.write(`${VALIDATE_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('validate needs at least one file');
  const config = loadConfig(VALIDATE_COMMAND, flags, io.env);
  const kinds = fileKinds(config.files);
  const files: IngestFile[] = positionals.map((path) => {
    const kind = config.kind ?? kinds.kindOf(basename(path));
    if (!kind) throw new UsageError(`${path}: cannot tell the kind from the name (${EXPORT_KINDS.map((each) => kinds.globOf(each)).join(', ')}); use --kind or the config's "files"`);
    return { kind, name: path, path };
  });

  const scratch = mkdtempSync(join(tmpdir(), 'loyalty-sync-validate-'));
  const staging = createStagingArea(join(scratch, 'validate'), 'validate');
  try {
    let rejected = 0;
    // The line shows the value: phone-like ones are masked as in rejects.csv (file and line find the row).
    const print = (reject: Reject) => {
      rejected++;
      io.stdout.write(`${redactText(rejectLine(reject))}\n`);
    };
    const result = await ingestExport(files, staging, { config, onReject: print });
    // The rest is what a run does with the staged export before planning against its snapshot: the
    // same guard, the same merge and the same planning rules (here against an empty snapshot).
    const orphansBefore = rejected;
    if (files.some((file) => file.kind === 'members')) {
      const reader = staging.reader();
      planRun(mergeStaged(reader, result, []), {
        timestamp: new Date().toISOString(),
        deletesAllowed: false,
        onPlan: () => {},
        onOrphan: (item) => print(orphanReject(reader, result, item)),
      });
    }
    for (const file of result.files) {
      io.stdout.write(`${file.name}: ${file.rows} rows, ${file.rejected} rejected (${file.encoding}${file.bom ? ' with BOM' : ''}, delimiter ${JSON.stringify(file.delimiter)})\n`);
    }
    if (rejected > orphansBefore) io.stdout.write(`${rejected - orphansBefore} item row(s) whose member is not in the members file\n`);
    for (const warning of result.warnings) io.stdout.write(`warning: ${warning}\n`);
    refuseEmptyFiles(result, false);
    return rejected === 0 ? EXIT.ok : EXIT.fatal;
  } finally {
    staging.remove();
    rmSync(scratch, { recursive: true, force: true });
  }
}
