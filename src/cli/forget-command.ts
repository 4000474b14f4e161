// `loyalty-sync forget <contactId>`: erase one member's local traces for an erasure request (README
// "Privacy"): its rows in the state file and in the backups beside it, and its appearances in the reports
// kept in the report folder. Only for a member who left (its member.deleted was accepted) or never was
// registered: forgetting a member the API still holds would, while it is in the export, register it
// again, and once it leaves, never delete it. Such a member is refused (exit 4).
import { loadConfig } from '../config/load.ts';
import { optionsHelp, FORGET_COMMAND } from '../config/options.ts';
import { GuardError, UsageError } from '../errors.ts';
import { maskPhoneNumbersIn } from '../privacy/phone-numbers.ts';
import { forgetInReports } from '../report/forget-in-reports.ts';
import { listStateBackups } from '../state/backup.ts';
import { forgetMember, memberStanding, type Forgotten } from '../state/forget.ts';
import { acquireRunLock } from '../state/run-lock.ts';
import { runsTable } from '../state/runs.ts';
import { openStateStore } from '../state/store.ts';
import { openExistingStateFile } from './read-state-file.ts';
import { parseFlags } from './args.ts';
import { EXIT } from '../base/exit-codes.ts';
import type { CommandIo } from './io.ts';


const FORGET_HELP = `Usage: loyalty-sync forget <contactId> [--state <file>] [--report-dir <folder>] [--config <file>]

Erases a member who left from the state file (its tombstone and event history), from the state backups
beside it, and from the reports in the report folder (report.json, latest.json, rejects.csv, report.html).
A member the API still holds is refused (exit 4): remove it from the export and let a run delete it first.
Sends nothing.

Options (flag, env var, meaning):
${optionsHelp(FORGET_COMMAND)}`;

export async function forgetCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positionals } = parseFlags(args, FORGET_COMMAND.options, true);
  if (flags.help) {
    io.stdout.write(`${FORGET_HELP}\n`);
    return EXIT.ok;
  }
  const [contactId] = positionals;
  if (!contactId || positionals.length > 1) throw new UsageError(`forget needs exactly one contact id, got ${positionals.length}`);
  const config = loadConfig(FORGET_COMMAND, flags, io.env);
  const store = openExistingStateFile(config.state, { readOnly: false });
  const lines = [`forgot ${contactId}`];
  try {
    // Refused before anything is written; checked again under the lock, which no run holds meanwhile.
    refuseMemberInApi(store.db, contactId);
    const lock = acquireRunLock(store.db, { runId: `forget-${Date.now()}` });
    try {
      refuseMemberInApi(store.db, contactId);
      lines.push(`  state file: ${describe(forgetMember(store.db, contactId))} (${config.state})`);
      store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      const backups = listStateBackups(config.state);
      for (const backup of backups) forgetInStateFile(backup, contactId);
      lines.push(`  backups: ${backups.length} scrubbed`);
      const reports = forgetInReports(config.reportDir, contactId, { history: runsTable(store.db).recent(100_000), timeZone: config.timeZone });
      lines.push(`  reports: ${reports.changed.length} file(s) rewritten in ${config.reportDir}`, ...reports.changed.map((path) => `    ${path}`));
      // A contact id that looks like a phone number is written to reports masked only: nothing there names it.
      if (maskPhoneNumbersIn(contactId) !== contactId) lines.push(`  reports show this contact id only masked (${maskPhoneNumbersIn(contactId)}), which names no one`);
      if (reports.untouched.length > 0) lines.push('  still named in (not rewritten; remove by hand):', ...reports.untouched.map((path) => `    ${path}`));
    } finally {
      lock.release();
    }
  } finally {
    store.close();
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

function refuseMemberInApi(db: Parameters<typeof memberStanding>[0], contactId: string): void {
  const standing = memberStanding(db, contactId);
  if (standing.kind === 'active') {
    throw new GuardError(
      'GUARD_MEMBER_ACTIVE',
      `${contactId} is a member the API holds: forgetting it here would register it again while it is in the export, and never delete it once it leaves. ` +
        'Remove it from the export, let a run send its member.deleted, then run forget again. Nothing was changed.',
    );
  }
  if (standing.kind === 'planned') {
    throw new GuardError(
      'GUARD_MEMBER_ACTIVE',
      `${contactId} has events planned by run ${standing.runId} that the API has not all accepted (it may be in the export again). ` +
        'Let a run finish them (or drop it from the export and let a run delete it), then run forget again. Nothing was changed.',
    );
  }
}

function forgetInStateFile(path: string, contactId: string): void {
  const backup = openStateStore(path);
  try {
    forgetMember(backup.db, contactId);
    backup.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    backup.close();
  }
}

function describe(forgotten: Forgotten): string {
  if (forgotten.snapshotRows === 0 && forgotten.events === 0) return 'nothing about it';
  return `${forgotten.snapshotRows > 0 ? 'its tombstone and ' : ''}${forgotten.events} event(s) of its history removed`;
}
