// The one place where errors become exit codes (design: "Exit codes").
import { isSyncError } from '../errors.ts';

export const EXIT = {
  ok: 0,
  fatal: 1,
  usage: 2,
  partial: 3,
  refused: 4,
  locked: 75,
} as const;

export function exitCodeOf(error: unknown): number {
  if (!isSyncError(error)) return EXIT.fatal;
  switch (error.code) {
    case 'CONFIG_INVALID':
    case 'USAGE':
      return EXIT.usage;
    case 'GUARD_MASS_DELETE':
    case 'GUARD_EMPTY_FILE':
    case 'GUARD_TRUNCATED_FILE':
    case 'GUARD_MASS_CLEAR':
      return EXIT.refused;
    case 'STATE_LOCKED':
      return EXIT.locked;
    default:
      return EXIT.fatal;
  }
}
