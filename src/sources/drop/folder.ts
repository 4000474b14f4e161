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
import { archiveExport, archiveFolder, quarantineExport, putAwayExport, type PendingPutAway } from './put-away.ts';
import type { DropSession, DropStorage } from './storage.ts';
import { asOfExport, exportFilesIn } from '../local-folder.ts';
import { DEFAULT_FILE_KINDS, type FileKinds } from '../file-kinds.ts';
import type { DropFolderSettings } from '../../config/source-settings.ts';
import type { Source } from '../source.ts';
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
}

export function dropFolderSource(options: DropFolderOptions): Source {
  const { storage, settings, timeZone } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const kinds = options.kinds ?? DEFAULT_FILE_KINDS;
  const drop = { storage, settings, kinds, timeZone, now, sleep };
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

        const problem = problemOf(chosen.files, kinds);
        if (problem) {
          const message = `${storage.description}/${incoming}: export ${id} ${problem.message}`;
          if (dryRun) throw new SourceError(problem.code, `${message} (dry run: left in ${incoming}/)`);
          await quarantineExport(session, drop, chosen, plainDone, 'invalid', message);
          throw new SourceError(problem.code, `${message}; moved to ${failed}/ with a .error.txt per file`);
        }

        const exportDir = join(workDir, 'export');
        const fetched = await fetchExport(session, drop, chosen, exportDir);
        const ledger = sourceLedger(context.db);
        const processed = fetched.map((file) => ledger.find(file.name, file.sha256));
        if (processed.every((entry) => entry !== undefined)) {
          logger.info({ export: id, processedAt: processed[0]?.processedAt }, 'export already processed (same names and content); not synced again');
          context.onWarning?.(`${storage.description}/${incoming}: export ${id} was processed before (same names and content${processed[0]?.processedAt ? `, ${processed[0].processedAt}` : ''}): not synced again${dryRun ? '' : `, archived`}`);
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

    async putAway(pulled, outcome, reason) {
      const state = pending;
      if (!state || state.pulled !== pulled) return [];
      pending = undefined;
      try {
        if (outcome === 'dry-run' || outcome === 'retry') return state.fetched.map((file) => ({ name: file.name }));
        const session = await storage.open(state.logger);
        try {
          return await putAwayExport(session, drop, state, outcome, reason);
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

  async function discardPending(): Promise<void> {
    const state = pending;
    pending = undefined;
    if (state) await rm(state.workDir, { recursive: true, force: true });
  }
}
