// Worker-thread entry of an ingest lane: the lane's rejects and progress go back to the main thread as
// messages (rejects in batches), errors as plain data.
import { parentPort, workerData } from 'node:worker_threads';
import type { LaneEnd } from '../base/lane-worker.ts';
import { toThreadError } from '../base/thread-error.ts';
import { ingestLane, type LaneConfig } from './ingest-lane.ts';
import type { IngestFile, Reject, RowFilter } from '../base/export-shapes.ts';

export interface LaneWork {
  files: IngestFile[];
  stagingDir: string;
  config: LaneConfig;
  filter: RowFilter;
}

/** What the lane reports on the way; its last message is a LaneEnd (src/base/lane-worker.ts). */
export type LaneMessage = { type: 'rejects'; rejects: Reject[] } | { type: 'progress'; progress: { file: string; rows: number; bytes: number; totalBytes: number } };

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
    port.postMessage({ type: 'done', value: files } satisfies LaneEnd<typeof files>);
  } catch (error) {
    flush();
    port.postMessage({ type: 'failed', error: toThreadError(error) } satisfies LaneEnd<never>);
  }
}
