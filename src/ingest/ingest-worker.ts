// Worker-thread entry of an ingest lane: the lane's rejects and progress go back to the main thread as
// messages (rejects in batches), errors as plain data.
import { parentPort, workerData } from 'node:worker_threads';
import { CsvError, isSyncError, type CsvErrorCode } from '../errors.ts';
import { ingestLane, type LaneConfig } from './ingest-lane.ts';
import type { IngestFile, Reject, RowFilter } from '../base/export-shapes.ts';

export interface LaneWork {
  files: IngestFile[];
  stagingDir: string;
  config: LaneConfig;
  filter: RowFilter;
}

export type LaneError =
  | { kind: 'csv'; code: CsvErrorCode; position: CsvError['position']; detail: string }
  | { kind: 'sync'; code: string; message: string }
  /** Anything else, with what tells an expected failure from a bug (an errno `code`, SQLite's `errcode`). */
  | { kind: 'other'; message: string; code?: string; errcode?: number };

export type LaneMessage =
  | { type: 'rejects'; rejects: Reject[] }
  | { type: 'progress'; progress: { file: string; rows: number; bytes: number; totalBytes: number } }
  | { type: 'done'; files: Awaited<ReturnType<typeof ingestLane>> }
  | { type: 'failed'; error: LaneError };

const REJECT_BATCH = 500;

if (parentPort) {
  const port = parentPort;
  const work = workerData as LaneWork;
  const pending: Reject[] = [];
  const flush = () => pending.length > 0 && port.postMessage({ type: 'rejects', rejects: pending.splice(0) } satisfies LaneMessage);
  try {
    const files = await ingestLane(work.files, work.stagingDir, work.config, work.filter, {
      onReject: (reject) => {
        pending.push(reject);
        if (pending.length >= REJECT_BATCH) flush();
      },
      onProgress: (progress) => port.postMessage({ type: 'progress', progress } satisfies LaneMessage),
    });
    flush();
    port.postMessage({ type: 'done', files } satisfies LaneMessage);
  } catch (error) {
    flush();
    port.postMessage({ type: 'failed', error: toLaneError(error) } satisfies LaneMessage);
  }
}

function toLaneError(error: unknown): LaneError {
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
