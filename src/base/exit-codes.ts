// The one place where errors become exit codes (design: "Exit codes").
import { isSyncError } from '../errors.ts';

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

export function exitCodeOf(error: unknown): number {
  if (!isSyncError(error)) return EXIT.fatal;
  switch (error.code) {
    case 'CONFIG_INVALID':
    case 'USAGE':
    // status/explain pointed at a state file that is not there: the path given (or defaulted) is wrong.
    case 'STATE_NOT_FOUND':
      return EXIT.usage;
    case 'GUARD_MASS_DELETE':
    case 'GUARD_EMPTY_FILE':
    case 'GUARD_TRUNCATED_FILE':
    case 'GUARD_STATE_MISSING':
    case 'GUARD_MEMBER_ACTIVE':
    case 'GUARD_MASS_CLEAR':
      return EXIT.refused;
    case 'STATE_LOCKED':
    case 'LOCK_LOST':
      return EXIT.locked;
    default:
      return EXIT.fatal;
  }
}
