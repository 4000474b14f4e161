// The one table of exit codes (README "Commands and exit codes"): what a run's outcome exits with, and what an error
// that reaches the CLI's top-level handler exits with.
import { GuardError, isSyncError } from '../errors.ts';
import type { RunStatus } from './report-schema.ts';

export const EXIT = {
  ok: 0,
  fatal: 1,
  usage: 2,
  partial: 3,
  refused: 4,
  /** Succeeded, but rows were rejected or members left untouched: only with --fail-on-rejects. */
  rejects: 5,
  locked: 75,
} as const;

/** What each exit code means, for help texts and metrics. */
export const EXIT_MEANINGS: readonly (readonly [number, string])[] = [
  [EXIT.ok, 'done (also skipped: no new export, and a dry run)'],
  [EXIT.fatal, 'failed'],
  [EXIT.usage, 'usage or configuration error'],
  [EXIT.partial, 'partial: some members failed, retried next run'],
  [EXIT.refused, 'refused by a safety guard, nothing sent'],
  [EXIT.rejects, 'done, but rows were rejected or members left untouched (only with --fail-on-rejects)'],
  [EXIT.locked, 'another run holds the lock'],
];

/** "0 done … · 1 failed · …", for help texts. */
export const exitCodesText = (separator = ' · ') => EXIT_MEANINGS.map(([code, meaning]) => `${code} ${meaning}`).join(separator);

/**
 * Exit codes from worst to best: a fleet exits with its worst merchant's (README "Partner mode"). A failure
 * (1) is the least known state; a configuration error (2) and a guard's refusal (4) each wait for a person
 * but are understood; a partial run (3) and a held lock (75) are retried by the next run on their own;
 * rejected rows under --fail-on-rejects (5) were synced; 0 is done. A code not listed counts as a failure.
 */
export const EXIT_SEVERITY: readonly number[] = [EXIT.fatal, EXIT.usage, EXIT.refused, EXIT.partial, EXIT.locked, EXIT.rejects, EXIT.ok];

/** 0 for the worst exit code, larger for better ones (see EXIT_SEVERITY). */
export function exitSeverity(code: number): number {
  const rank = EXIT_SEVERITY.indexOf(code);
  return rank < 0 ? 0 : rank;
}

/** The worst of some exit codes (0 when there are none). */
export function worstExitCode(codes: Iterable<number>): number {
  let worst: number = EXIT.ok;
  for (const code of codes) if (exitSeverity(code) < exitSeverity(worst)) worst = code;
  return worst;
}

const OF_STATUS: Record<RunStatus, number> = { succeeded: EXIT.ok, skipped: EXIT.ok, 'dry-run': EXIT.ok, partial: EXIT.partial, failed: EXIT.fatal, refused: EXIT.refused };

/**
 * A run's exit code, the one its report carries. `withRejects`: --fail-on-rejects was given and rows were
 * rejected or members left untouched. A run that ends on the lock (another run took it or holds it) exits
 * like one that never got it.
 */
export function exitCodeOfRun(status: RunStatus, errorCode: string | undefined, withRejects: boolean): number {
  if (errorCode !== undefined && exitCodeOfCode(errorCode) === EXIT.locked) return EXIT.locked;
  if (withRejects && (status === 'succeeded' || status === 'dry-run')) return EXIT.rejects;
  return OF_STATUS[status];
}

/** The exit code of an error that ended a command before (or instead of) a run's report. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof GuardError) return EXIT.refused;
  return isSyncError(error) ? exitCodeOfCode(error.code) : EXIT.fatal;
}

function exitCodeOfCode(code: string): number {
  switch (code) {
    case 'CONFIG_INVALID':
    case 'USAGE':
    // status/explain pointed at a state file that is not there: the path given (or defaulted) is wrong.
    case 'STATE_NOT_FOUND':
      return EXIT.usage;
    case 'STATE_LOCKED':
    case 'LOCK_LOST':
      return EXIT.locked;
    default:
      return EXIT.fatal;
  }
}
