// One place for every error the job raises on purpose. Callers branch on `code`, never on the message;
// exit codes come from one table, `src/base/exit-codes.ts`.

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_NO_MEMBERS'
  | 'SOURCE_AMBIGUOUS'
  | 'SOURCE_IO_ERROR'
  | 'CSV_UNREADABLE'
  | 'CSV_NOT_TEXT'
  | 'CSV_MISSING_COLUMN'
  | 'CSV_DUPLICATE_COLUMN'
  | 'STATE_CORRUPT'
  | 'STATE_NOT_FOUND'
  | 'STATE_TOO_NEW'
  | 'STATE_LOCKED'
  | 'STATE_UNWRITABLE'
  | 'STATE_DISK_FULL'
  | 'STATE_IO_ERROR'
  | 'LOCK_LOST'
  | 'GUARD_MASS_DELETE'
  | 'GUARD_EMPTY_FILE'
  | 'GUARD_TRUNCATED_FILE'
  | 'GUARD_STATE_MISSING'
  | 'GUARD_MEMBER_ACTIVE'
  | 'GUARD_MASS_CLEAR'
  | 'API_TOKEN_FAILED'
  | 'API_REJECTED'
  | 'API_RETRIES_EXHAUSTED'
  | 'API_DEADLINE'
  | 'API_UNREACHABLE'
  | 'API_CIRCUIT_OPEN'
  | 'RUN_INTERRUPTED'
  | 'SFTP_CONNECT_FAILED'
  | 'SFTP_HOST_KEY_MISMATCH'
  | 'SFTP_PARTIAL_FILE'
  | 'REPORT_WRITE_FAILED'
  | 'METRICS_PUSH_FAILED'
  | 'NOTIFY_FAILED';

export class SyncError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class ConfigError extends SyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

export class UsageError extends SyncError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Where in an input file something went wrong; `line` is the physical line an editor shows (1-based). */
export interface FilePosition {
  file: string;
  line: number;
  column?: string;
}

export type CsvErrorCode = 'CSV_UNREADABLE' | 'CSV_NOT_TEXT' | 'CSV_MISSING_COLUMN' | 'CSV_DUPLICATE_COLUMN';

export class CsvError extends SyncError {
  readonly position: FilePosition;
  /** The message without its position prefix. */
  readonly detail: string;

  constructor(
    code: CsvErrorCode,
    position: FilePosition,
    message: string,
    options?: { cause?: unknown },
  ) {
    const where = `${position.file}:${position.line}${position.column ? ` (${position.column})` : ''}`;
    super(code, `${where}: ${message}`, options);
    this.position = position;
    this.detail = message;
  }
}

/** A safety guard refused the run; nothing was sent. */
export class GuardError extends SyncError {
  /** What the guard found, one line each, for the report's warnings. */
  readonly details: readonly string[];

  constructor(code: 'GUARD_MASS_DELETE' | 'GUARD_EMPTY_FILE' | 'GUARD_TRUNCATED_FILE' | 'GUARD_STATE_MISSING' | 'GUARD_MEMBER_ACTIVE' | 'GUARD_MASS_CLEAR', message: string, details: readonly string[] = []) {
    super(code, message);
    this.details = details;
  }
}

export type StateErrorCode = 'STATE_CORRUPT' | 'STATE_NOT_FOUND' | 'STATE_TOO_NEW' | 'STATE_LOCKED' | 'STATE_UNWRITABLE' | 'STATE_DISK_FULL' | 'STATE_IO_ERROR' | 'LOCK_LOST';

/** The state file cannot be used: damaged, too new, locked, read-only, on a full disk, or failing I/O. */
export class StateError extends SyncError {
  constructor(code: StateErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The run's report could not be written (the run itself may have succeeded: see the state's `runs`). */
export class ReportError extends SyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REPORT_WRITE_FAILED', message, options);
  }
}

/** A problem answer from the Loyalty API (or a transport failure while talking to it). */
export class ApiError extends SyncError {
  readonly status: number | undefined;
  readonly detail: string;

  constructor(
    code: 'API_TOKEN_FAILED' | 'API_REJECTED' | 'API_RETRIES_EXHAUSTED' | 'API_DEADLINE' | 'API_UNREACHABLE' | 'API_CIRCUIT_OPEN',
    message: string,
    options: { status?: number; detail?: string; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.status = options.status;
    this.detail = options.detail ?? message;
  }
}

export class SourceError extends SyncError {
  constructor(
    code: 'SOURCE_NOT_FOUND' | 'SOURCE_NO_MEMBERS' | 'SOURCE_AMBIGUOUS' | 'SOURCE_IO_ERROR' | 'SFTP_CONNECT_FAILED' | 'SFTP_HOST_KEY_MISMATCH' | 'SFTP_PARTIAL_FILE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export type OutboundErrorCode = 'METRICS_PUSH_FAILED' | 'NOTIFY_FAILED';

/** A push to a Pushgateway or a webhook notification failed (never fails the run). */
export class OutboundError extends SyncError {
  /** The HTTP status the endpoint answered with; undefined when no answer came. */
  readonly status: number | undefined;

  constructor(code: OutboundErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    this.status = options.status;
  }
}

export function isSyncError(error: unknown): error is SyncError {
  return error instanceof SyncError;
}
