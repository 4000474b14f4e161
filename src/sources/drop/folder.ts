// A drop folder: the merchant drops exports into `incoming/`; each run syncs the newest complete one and,
// once the run's outcome is known, moves it to `archive/<YYYY-MM-DD>/` (succeeded, partial) or to
// `failed/` with a `<name>.error.txt` (refused, failed). The same rules run over a local folder and over
// SFTP (see storage.ts). This file runs the steps in order: which names form an export and when it is
// complete, names.ts and exports.ts; which one is synced, newest-export.ts; reading it, incoming.ts;
// putting it away afterwards (archive/, failed/), put-away.ts.
//
// Crash safety: nothing is moved before the outcome is known, so a crashed run leaves every file in
// incoming/ and the next run takes it again (the outbox makes the re-send safe). Files are read from
// local copies that were checked against the listing (size) and the manifest (sha256), never from a
// partial transfer.
//
// Sharded runs (`--shard i/N`, N > 1) never put an export away on their own: each records that it reads
// the export and how it ended, and the last shard to finish puts it away (shard-settle.ts).
//
// Already processed: when every file of the newest complete export is in the ledger with the same name
// and sha256, it is not synced again; it is archived (and older complete exports with it, as
// superseded) while pulling, and the run is `skipped`. A re-upload with other content is synced.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceError } from '../../errors.ts';
import { sourceLedger } from '../../state/ledger.ts';
import { fetchExport } from './incoming.ts';
import { findNewestExport, problemOf } from './newest-export.ts';
import { DAY_FOLDER, pruneDropFolder } from './retention.ts';
import { archiveExport, archiveFolder, quarantineExport, putAwayExport, recordProcessed, type PendingPutAway } from './put-away.ts';
import { recordShardOutcome, refreshReading, registerReading, settleIfLast, type SettleTarget, type ShardedDrop, type ShardOutcome } from './shard-settle.ts';
import type { Shard } from '../../base/shard.ts';
import type { DropSession, DropStorage } from './storage.ts';
import { asOfExport, exportFilesIn } from '../local-folder.ts';
import { DEFAULT_FILE_KINDS, type FileKinds } from '../file-kinds.ts';
import type { DropFolderSettings } from '../../config/source-settings.ts';
import type { RunOutcome, Source } from '../source.ts';
import type { PulledExport } from '../../base/run-shapes.ts';

export interface DropFolderOptions {
  storage: DropStorage;
  settings: DropFolderSettings;
  /** Which file names are which kind (config `files`); default the standard names. */
  kinds?: FileKinds;
  /** For dates in file names and the archive folder's date. */
  timeZone: string;
  now?: () => Date;
  /** The wait between the two listings of the stable-size rule. */
  sleep?: (ms: number) => Promise<void>;
  /** Where downloads go (a fresh folder per pull); default the OS temp folder. */
  tempDir?: string;
  /** `--shard i/N`: with N > 1 the export is put away only by the last shard to finish. */
  shard?: Shard;
  /** When a shard's registration or settle lock is stale (`--lock-stale-seconds`); default 2 minutes. */
  staleAfterMs?: number;
}

export function dropFolderSource(options: DropFolderOptions): Source {
  const { storage, settings, timeZone } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const kinds = options.kinds ?? DEFAULT_FILE_KINDS;
  const drop = { storage, settings, kinds, timeZone, now, sleep };
  const sharded: ShardedDrop | undefined = options.shard && options.shard.count > 1 ? { ...drop, shard: options.shard, staleAfterMs: options.staleAfterMs ?? 120_000 } : undefined;
  const { incoming, failed } = settings;
  let pending: PendingPutAway | undefined;

  return {
    description: storage.description,

    async pull(context) {
      await discardPending();
      const logger = context.logger.child({ stage: 'source' });
      const dryRun = context.dryRun === true;
      const workDir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'loyalty-sync-drop-'));
      let keepWorkDir = false;
      let session: DropSession | undefined;
      try {
        session = await storage.open(logger);
        const newest = await findNewestExport(session, { ...drop, logger, workDir, ...(context.onWarning && { onWarning: context.onWarning }) });
        if (!newest) return undefined;
        const { chosen, superseded, plainDone } = newest;
        const id = chosen.id;
        const where = `${storage.description}/${incoming}`;

        const problem = problemOf(chosen.files, kinds);
        if (problem) {
          const message = `${where}: export ${id} ${problem.message}`;
          if (dryRun) throw new SourceError(problem.code, `${message} (dry run: left in ${incoming}/)`);
          if (sharded) {
            const settled = await endShard(session, newest, { state: 'failed', outcome: 'invalid', reason: message });
            throw new SourceError(problem.code, `${message}; ${settled.waiting ?? `moved to ${failed}/ with a .error.txt per file`}`);
          }
          await quarantineExport(session, drop, chosen, plainDone, 'invalid', message);
          throw new SourceError(problem.code, `${message}; moved to ${failed}/ with a .error.txt per file`);
        }

        if (sharded && !(await registerReading(session, sharded, chosen))) {
          // Put away by another shard (or being): this shard must not read it. A settle whose shard was
          // killed is finished here.
          const settled = await settleIfLast(session, sharded, newest);
          context.onWarning?.(`${where}: export ${id} is put away by another shard: not read${settled.placements.length > 0 ? ` (this shard finished putting it away)` : ''}`);
          return undefined;
        }
        const exportDir = join(workDir, 'export');
        let fetched;
        try {
          fetched = await fetchExport(session, drop, chosen, exportDir, sharded && (() => refreshReading(session!, sharded, chosen)));
        } catch (error) {
          if (sharded) await recordShardOutcome(session, sharded, chosen, { state: 'withdrawn' }).catch(() => undefined);
          throw error;
        }
        const ledger = sourceLedger(context.db);
        const processed = fetched.map((file) => ledger.find(file.name, file.sha256));
        if (processed.every((entry) => entry !== undefined)) {
          logger.info({ export: id, processedAt: processed[0]?.processedAt }, 'export already processed (same names and content); not synced again');
          const before = `${where}: export ${id} was processed before (same names and content${processed[0]?.processedAt ? `, ${processed[0].processedAt}` : ''}): not synced again`;
          if (sharded) {
            const settled = await endShard(session, newest, dryRun ? { state: 'withdrawn' } : { state: 'done' });
            context.onWarning?.(`${before}${settled.placements.length > 0 ? ', archived' : settled.waiting ? `; ${settled.waiting}` : ''}`);
            return undefined;
          }
          context.onWarning?.(`${before}${dryRun ? '' : `, archived`}`);
          if (!dryRun) {
            const folder = archiveFolder(drop);
            await archiveExport(session, drop, folder, chosen, plainDone);
            for (const old of superseded) await archiveExport(session, drop, folder, old);
            logger.info({ export: id, movedTo: folder, superseded: superseded.map((old) => old.id) }, 'archived as already processed');
          }
          return undefined;
        }

        const files = exportFilesIn(exportDir, fetched.map((file) => file.name), kinds);
        const asOf = chosen.manifest?.asOf ? { asOf: new Date(chosen.manifest.asOf), asOfFrom: 'manifest' as const } : asOfExport(files, timeZone);
        const pulled: PulledExport = {
          id,
          files,
          ...asOf,
          ...(superseded.length > 0 && { superseded: superseded.map((old) => ({ id: old.id, files: old.files.map((file) => file.name) })) }),
        };
        pending = { pulled, chosen, superseded, ...(plainDone && { plainDone }), fetched, db: context.db, logger, workDir };
        keepWorkDir = true;
        return pulled;
      } finally {
        await session?.close();
        if (!keepWorkDir) await rm(workDir, { recursive: true, force: true });
      }
    },

    async putAway(pulled, outcome, reason, onWarning) {
      const state = pending;
      if (!state || state.pulled !== pulled) return [];
      pending = undefined;
      const leftInPlace = state.fetched.map((file) => ({ name: file.name }));
      try {
        if (!sharded && (outcome === 'dry-run' || outcome === 'retry')) return leftInPlace;
        const session = await storage.open(state.logger);
        try {
          if (!sharded) return await putAwayExport(session, drop, state, outcome as Exclude<RunOutcome, 'dry-run' | 'retry'>, reason);
          // In the ledger before the outcome marker: a re-run of this shard then knows the files as processed.
          if (outcome === 'succeeded' || outcome === 'partial') recordProcessed(drop, state, outcome);
          const settled = await endShard(session, state, shardOutcomeOf(outcome, reason));
          if (outcome === 'dry-run' || outcome === 'retry') return leftInPlace;
          if (settled.waiting) onWarning?.(`${storage.description}/${incoming}: ${settled.waiting}`);
          state.logger.info({ export: pulled.id, shard: `${sharded.shard.index}/${sharded.shard.count}`, outcome, moved: settled.placements.length }, settled.waiting ?? 'export put away by its last shard');
          return settled.placements.length > 0 ? settled.placements : leftInPlace;
        } finally {
          await session.close();
        }
      } finally {
        await rm(state.workDir, { recursive: true, force: true });
      }
    },

    async syncedBefore(logger) {
      const session = await storage.open(logger.child({ stage: 'source' }));
      try {
        const days = ((await session.list(settings.archive)) ?? []).filter((entry) => !entry.isFile && DAY_FOLDER.test(entry.name));
        const newest = days.map((entry) => entry.name).sort().at(-1);
        return newest && `${storage.description}/${settings.archive}/${newest}`;
      } finally {
        await session.close();
      }
    },

    async prune(olderThanDays, logger) {
      const session = await storage.open(logger.child({ stage: 'source' }));
      try {
        return await pruneDropFolder(session, settings, { olderThanDays, now: now(), timeZone });
      } finally {
        await session.close();
      }
    },

    async close() {
      await discardPending();
    },
  };

  /** Records how this shard ended with the export, then puts it away if this shard is the last. */
  async function endShard(session: DropSession, target: SettleTarget, outcome: ShardOutcome) {
    await recordShardOutcome(session, sharded!, target.chosen, outcome);
    if (outcome.state === 'withdrawn') return { placements: [] };
    return settleIfLast(session, sharded!, target);
  }

  function shardOutcomeOf(outcome: RunOutcome, reason: string | undefined): ShardOutcome {
    if (outcome === 'succeeded' || outcome === 'partial') return { state: 'done' };
    if (outcome === 'failed' || outcome === 'refused') return { state: 'failed', outcome, reason: reason ?? '(no reason given)' };
    return { state: 'withdrawn' };
  }

  async function discardPending(): Promise<void> {
    const state = pending;
    pending = undefined;
    if (state) await rm(state.workDir, { recursive: true, force: true });
  }
}
