// An error thrown in a worker thread (an ingest or plan lane) crosses to the main thread as plain data and
// is rebuilt there with its class and code, so the run reports it as if the main thread had thrown it.
import { CsvError, isSyncError, SyncError, type CsvErrorCode, type ErrorCode } from '../errors.ts';

export type ThreadError =
  | { kind: 'csv'; code: CsvErrorCode; position: CsvError['position']; detail: string }
  | { kind: 'sync'; code: string; message: string }
  /** Anything else, with what tells an expected failure from a bug (an errno `code`, SQLite's `errcode`). */
  | { kind: 'other'; message: string; code?: string; errcode?: number };

export function toThreadError(error: unknown): ThreadError {
  if (error instanceof CsvError) return { kind: 'csv', code: error.code as CsvErrorCode, position: error.position, detail: error.detail };
  if (isSyncError(error)) return { kind: 'sync', code: error.code, message: error.message };
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  return {
    kind: 'other',
    // An expected failure is reported by its message; a bug keeps its stack for the log.
    message: typeof code === 'string' || typeof errcode === 'number' ? (error as Error).message : ((error as Error).stack ?? String(error)),
    ...(typeof code === 'string' && { code }),
    ...(typeof errcode === 'number' && { errcode }),
  };
}

export function fromThreadError(error: ThreadError): Error {
  if (error.kind === 'csv') return new CsvError(error.code, error.position, error.detail);
  if (error.kind === 'sync') return new SyncError(error.code as ErrorCode, error.message);
  // A full disk or an I/O error keeps its code, so the run reports it as in the main thread.
  const { code, errcode } = error;
  return Object.assign(new Error(error.message), code !== undefined && { code }, errcode !== undefined && { errcode });
}
