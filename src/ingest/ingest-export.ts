// Ingest: every file of an export → validated rows in staging, bad rows → rejects. With more than one
// lane (`--ingest-threads`), kinds are read side by side, the main thread and worker threads each taking
// whole kinds (balanced by size): parsing and validating is CPU-bound. Each worker costs ~50 MB of
// memory (its own V8 isolate and copies of the modules); the default is set in the config (README
// "Performance").
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { IngestConfig } from '../config/schema.ts';
import { siblingEntry, startLaneWorker } from '../base/lane-worker.ts';
import type { StagingArea } from '../state/staging.ts';
import { ingestLane, laneConfigOf, type PreviousColumns } from './ingest-lane.ts';
import type { LaneMessage, LaneWork } from './ingest-worker.ts';
import { EXPORT_KINDS, type ExportKind } from '../base/kinds.ts';
import type { IngestedFile, IngestFile, IngestProgress, IngestResult, Reject, RowFilter } from '../base/export-shapes.ts';

export interface IngestOptions {
  config: IngestConfig;
  onReject: (reject: Reject) => void;
  onProgress?: (progress: IngestProgress) => void;
  filter?: RowFilter;
  /**
   * How many lanes (default 1; never more than the export has kinds). A number is taken as given, at any
   * size; `auto`: two on 2+ cores for an export of 16 MB or more, else one.
   */
  threads?: number | 'auto';
  /** The columns each kind's file had in the last successful run (run only; `--allow-mass-clear` leaves it out). */
  previousColumns?: PreviousColumns;
}

/** Below this, a worker thread's start-up costs more than it saves. */
const PARALLEL_FROM_BYTES = 16 * 1024 * 1024;

const WORKER_ENTRY = siblingEntry(import.meta.url, 'ingest-worker');

export async function ingestExport(files: readonly IngestFile[], staging: StagingArea, options: IngestOptions): Promise<IngestResult> {
  const ordered = [...files].sort((a, b) => EXPORT_KINDS.indexOf(a.kind) - EXPORT_KINDS.indexOf(b.kind));
  const lanes = planLanes(ordered, options.threads);
  const work = { stagingDir: staging.dir, config: laneConfigOf(options.config, options.previousColumns), filter: options.filter ?? {} };
  const sinks = { onReject: options.onReject, ...(options.onProgress && { onProgress: options.onProgress }) };
  const settled = await Promise.allSettled(
    lanes.map((laneFiles, index) => (index === 0 ? ingestLane(laneFiles, work.stagingDir, work.config, work.filter, sinks) : runWorkerLane({ ...work, files: laneFiles }, sinks))),
  );
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  const summaries = settled.flatMap((outcome) => (outcome as PromiseFulfilledResult<IngestedFile[]>).value);
  return summarise(ordered.map((file) => summaries.find((summary) => summary.name === file.name && summary.kind === file.kind)!));
}

/** Splits the kinds into lanes: largest kinds first, each to the lane with the fewest bytes so far. */
function planLanes(files: readonly IngestFile[], threads: number | 'auto' = 1): IngestFile[][] {
  const bytesByKind = new Map<ExportKind, number>();
  for (const file of files) bytesByKind.set(file.kind, (bytesByKind.get(file.kind) ?? 0) + statSync(file.path).size);
  const total = [...bytesByKind.values()].reduce((sum, bytes) => sum + bytes, 0);
  const wanted = threads !== 'auto' ? threads : total >= PARALLEL_FROM_BYTES ? Math.min(2, availableParallelism()) : 1;
  const count = Math.min(wanted, bytesByKind.size);
  if (count <= 1) return [[...files]];
  const lanes = Array.from({ length: count }, () => ({ bytes: 0, kinds: new Set<ExportKind>() }));
  for (const [kind, bytes] of [...bytesByKind].sort((a, b) => b[1] - a[1])) {
    const lightest = lanes.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lightest.bytes += bytes;
    lightest.kinds.add(kind);
  }
  return lanes.map((lane) => files.filter((file) => lane.kinds.has(file.kind)));
}

function runWorkerLane(work: LaneWork, sinks: { onReject: (reject: Reject) => void; onProgress?: (progress: IngestProgress) => void }): Promise<IngestedFile[]> {
  return startLaneWorker<IngestedFile[], LaneMessage>(WORKER_ENTRY, work, 'ingest', (message) => {
    if (message.type === 'rejects') for (const rejected of message.rejects) sinks.onReject(rejected);
    else sinks.onProgress?.(message.progress);
  }).done;
}

function summarise(files: IngestedFile[]): IngestResult {
  const result: IngestResult = { files, rowsRead: 0, rowsRejected: 0, trustedKinds: new Set(), membersComplete: true, warnings: [] };
  for (const file of files) if (file.kind !== 'members') result.trustedKinds.add(file.kind);
  for (const file of files) {
    result.rowsRead += file.rows;
    result.rowsRejected += file.rejected;
    // A row we cannot attribute could belong to anyone: act as if the export said nothing on that point.
    // In the members file, so does a malformed row (wrong field count, bytes that are not valid UTF-8, a
    // line break in a member column): it may hold others (a missing line break, a stray quote), who
    // would look gone.
    const malformed = file.kind === 'members' ? file.malformed : 0;
    if (file.unattributable === 0 && malformed === 0) continue;
    const problems = [
      ...(malformed > 0 ? [`${malformed} malformed row(s) (wrong field count, bytes that are not valid UTF-8, or a quote that swallowed line breaks)`] : []),
      ...(file.unattributable > 0 ? [`${file.unattributable} rejected row(s) without a usable ${file.columns?.contact_id ?? 'contact_id'}`] : []),
    ];
    const problem = `${file.name}: ${problems.join(' and ')};`;
    if (file.kind === 'members') {
      result.membersComplete = false;
      result.warnings.push(`${problem} no member is deleted this run`);
    } else {
      result.trustedKinds.delete(file.kind);
      result.warnings.push(`${problem} no ${file.kind} set is changed this run`);
    }
  }
  return result;
}
