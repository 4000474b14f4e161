// The source's two moments in a run: pulling tonight's export at the start, and putting it away
// (archived, quarantined or left in place) once the run's outcome is known.
import type { FilePlacement, PulledExport } from '../base/run-shapes.ts';
import { isSyncError, SourceError } from '../errors.ts';
import { outcomeForSource } from '../sources/source.ts';
import type { RunContext } from './run-context.ts';
import type { RunVerdict } from './run-verdict.ts';
import type { PullFacts } from './stage-facts.ts';

export async function pullExport(run: RunContext): Promise<PullFacts> {
  const warnings: string[] = [];
  try {
    const pulled = await run.source.pull({ db: run.store.db, logger: run.logger, dryRun: run.config.dryRun, onWarning: (warning) => warnings.push(warning) });
    return { ...(pulled && { pulled }), warnings };
  } catch (error) {
    // A file system error while reading the source is the source's (not the state file's): coded as such.
    const stoppedBy = isSyncError(error) || !(error as NodeJS.ErrnoException).code ? error : new SourceError('SOURCE_IO_ERROR', `${run.source.description}: ${(error as Error).message}`, { cause: error });
    return { warnings, stoppedBy };
  }
}

/** `onWarning`: why the export stays in place when the source says (a shard waiting for the others). */
export async function putAwayExport(run: RunContext, pulled: PulledExport | undefined, verdict: RunVerdict, onWarning: (warning: string) => void): Promise<FilePlacement[]> {
  if (!pulled) return [];
  return run.source.putAway(pulled, outcomeForSource(verdict.status, verdict.error?.code), verdict.error?.message, onWarning);
}
