import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { INGEST_OPTIONS, loadConfig, type OptionSpec } from '../config/load.ts';
import { ingestConfigSchema } from '../config/schema.ts';
import { UsageError } from '../errors.ts';
import { ingestExport, type IngestFile, type Reject } from '../ingest/ingest-export.ts';
import { EXPORT_KINDS, kindOfFile, type ExportKind } from '../ingest/kinds.ts';
import { redactText } from '../privacy/redact.ts';
import { createStagingArea } from '../state/staging.ts';
import { optionsHelp, parseFlags } from './args.ts';
import { EXIT } from './exit-codes.ts';
import type { CommandIo } from './io.ts';

const KIND_OPTION: OptionSpec = { key: 'kind', flag: 'kind', type: 'string', help: `treat every file as this kind: ${EXPORT_KINDS.join(' | ')} (default: from the file name)` };

export const VALIDATE_HELP = `Usage: loyalty-sync validate <file.csv>... [options]

Parses and checks export files exactly as a run would, prints every rejected row (file:line column:
reason) and exits 0 only if every row is valid. Nothing is sent and no state is touched.

Options:
${optionsHelp([KIND_OPTION, ...INGEST_OPTIONS])}`;

export async function validateCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positionals } = parseFlags(args, [KIND_OPTION, ...INGEST_OPTIONS], true);
  if (flags.help) {
    io.stdout.write(`${VALIDATE_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('validate needs at least one file');
  const forcedKind = flags.kind as string | undefined;
  if (forcedKind !== undefined && !EXPORT_KINDS.includes(forcedKind as ExportKind)) throw new UsageError(`--kind must be one of ${EXPORT_KINDS.join(', ')}`);
  const config = loadConfig(ingestConfigSchema, INGEST_OPTIONS, flags, io.env);
  const files: IngestFile[] = positionals.map((path) => {
    const kind = (forcedKind as ExportKind | undefined) ?? kindOfFile(basename(path));
    if (!kind) throw new UsageError(`${path}: cannot tell the kind from the name (members*, coupons*, stamp_cards*, bonus_checks*.csv); use --kind`);
    return { kind, name: path, path };
  });

  const scratch = mkdtempSync(join(tmpdir(), 'loyalty-sync-validate-'));
  const staging = createStagingArea(join(scratch, 'validate'), 'validate');
  try {
    // The reason quotes the value: phone-like ones are masked as in rejects.csv (file and line find the row).
    const print = (reject: Reject) => io.stdout.write(`${reject.file}:${reject.line} ${reject.column || '(row)'}: ${redactText(reject.reason)}\n`);
    const result = await ingestExport(files, staging, { config, onReject: print });
    for (const file of result.files) {
      io.stdout.write(`${file.name}: ${file.rows} rows, ${file.rejected} rejected (${file.encoding}${file.bom ? ' with BOM' : ''}, delimiter ${JSON.stringify(file.delimiter)})\n`);
    }
    for (const warning of result.warnings) io.stdout.write(`warning: ${warning}\n`);
    return result.rowsRejected === 0 ? EXIT.ok : EXIT.fatal;
  } finally {
    staging.remove();
    rmSync(scratch, { recursive: true, force: true });
  }
}
