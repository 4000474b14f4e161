// A drop folder: the merchant drops exports into `incoming/`; each run syncs the newest complete one and,
// once the run's outcome is known, moves it to `archive/<YYYY-MM-DD>/` (succeeded, partial) or to
// `failed/` with a `<name>.error.txt` (refused, failed). The same rules run over a local folder and over
// SFTP (see drop-storage.ts); which names form an export and when it is complete: drop-names.ts and
// drop-exports.ts.
//
// Crash safety: nothing is moved before the outcome is known, so a crashed run leaves every file in
// incoming/ and the next run takes it again (the outbox makes the re-send safe). Files are read from
// local copies that were checked against the listing (size) and the manifest (sha256), never from a
// partial transfer.
//
// Already processed: when every file of the newest complete export is in the ledger with the same name
// and sha256, it is not synced again; it is archived (and older complete exports with it, as
// superseded) while pulling, and the run is `skipped`. A re-upload with other content is synced.
import { mkdir, mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { SourceError, SyncError } from '../errors.ts';
import { KINDS, type ExportKind } from '../ingest/kinds.ts';
import type { Logger } from '../log.ts';
import { sourceLedger } from '../state/ledger.ts';
import { MAX_MANIFEST_BYTES, parseManifest, type Manifest } from './drop-manifest.ts';
import { groupIncoming, judgeCompleteness, needsSecondListing, type ExportCandidate, type IncomingListing } from './drop-exports.ts';
import type { DropEntry, DropSession, DropStorage } from './drop-storage.ts';
import { asOfExport, dateInName, exportFilesIn } from './local-folder.ts';
import type { DropFolderSettings } from './sftp-config.ts';
import type { PulledExport, RunOutcome, SettledFile, Source } from './source.ts';

export interface DropFolderOptions {
  storage: DropStorage;
  settings: DropFolderSettings;
  /** For dates in file names and the archive folder's date. */
  timeZone: string;
  now?: () => Date;
  /** The wait between the two listings of the stable-size rule. */
  sleep?: (ms: number) => Promise<void>;
  /** Where downloads go (a fresh folder per pull); default the OS temp folder. */
  tempDir?: string;
}

type DataFile = ExportCandidate['data'][number];

interface CompleteExport {
  candidate: ExportCandidate;
  files: DataFile[];
  by: string;
  manifest?: Manifest;
  order: number;
}

interface FetchedFile extends DataFile {
  localPath: string;
  sha256: string;
}

/** What a pull leaves for its settle. */
interface Pending {
  pulled: PulledExport;
  chosen: CompleteExport;
  superseded: CompleteExport[];
  plainDone?: DropEntry;
  fetched: FetchedFile[];
  db: DatabaseSync;
  logger: Logger;
  workDir: string;
}

export function dropFolderSource(options: DropFolderOptions): Source {
  const { storage, settings, timeZone } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { incoming, archive, failed } = settings;
  const exportIdOf = (key: string) => key || incoming;
  let pending: Pending | undefined;

  const listIncoming = async (session: DropSession): Promise<IncomingListing> => {
    const entries = await session.list(incoming).catch((error: unknown) => {
      if (error instanceof SyncError) throw error;
      throw new SourceError('SOURCE_NOT_FOUND', `${storage.description}/${incoming} cannot be listed: ${(error as Error).message}`, { cause: error });
    });
    if (!entries) {
      throw new SourceError('SOURCE_NOT_FOUND', `${storage.description} has no ${incoming}/ folder (a drop folder holds ${incoming}/, ${archive}/ and ${failed}/)`);
    }
    return groupIncoming(entries);
  };

  const readManifest = async (session: DropSession, entry: DropEntry, key: string, workDir: string): Promise<Manifest | { problem: string }> => {
    if (entry.size > MAX_MANIFEST_BYTES) return { problem: `${entry.size} bytes is more than a manifest can be (${MAX_MANIFEST_BYTES})` };
    const localPath = join(workDir, `manifest-${encodeURIComponent(entry.name)}`);
    await session.fetch(`${incoming}/${entry.name}`, localPath).catch((error: unknown) => {
      throw readError(entry.name, error);
    });
    return parseManifest(await readFile(localPath, 'utf8'), key);
  };

  const readError = (name: string, error: unknown): SourceError => {
    if (error instanceof SourceError) return error;
    return new SourceError('SFTP_PARTIAL_FILE', `${storage.description}/${incoming}/${name} could not be read: ${(error as Error).message}; it stays in ${incoming}/`, { cause: error });
  };

  const fetchExport = async (session: DropSession, chosen: CompleteExport, exportDir: string): Promise<FetchedFile[]> => {
    await mkdir(exportDir, { recursive: true });
    const fetched: FetchedFile[] = [];
    for (const file of chosen.files) {
      const localPath = join(exportDir, file.name);
      const got = await session.fetch(`${incoming}/${file.name}`, localPath).catch((error: unknown) => {
        throw readError(file.name, error);
      });
      const where = `${storage.description}/${incoming}/${file.name}`;
      if (got.bytes !== file.size) {
        throw new SourceError('SFTP_PARTIAL_FILE', `${where}: read ${got.bytes} bytes, the listing said ${file.size}: it changed while it was read; it stays in ${incoming}/ for the next run`);
      }
      const expected = chosen.manifest?.files.find((listed) => listed.name === file.name)?.sha256;
      if (expected && expected !== got.sha256) {
        throw new SourceError('SFTP_PARTIAL_FILE', `${where}: sha256 is ${got.sha256}, the manifest says ${expected}; it stays in ${incoming}/ for the next run`);
      }
      // The local copy keeps the remote modification time: the export's as-of time may come from it.
      const seconds = file.mtimeMs / 1000;
      await utimes(localPath, seconds, seconds);
      fetched.push({ ...file, localPath, sha256: got.sha256 });
    }
    return fetched;
  };

  /** Target names in `folder` (created if needed) that overwrite nothing; see freeName. */
  const planMoves = async (session: DropSession, folder: string, names: readonly string[], reserveErrorNotes = false): Promise<Map<string, string>> => {
    await session.mkdir(folder);
    const taken = new Set((await session.list(folder))?.map((entry) => entry.name) ?? []);
    return new Map(names.map((name) => [name, freeName(name, taken, reserveErrorNotes)]));
  };

  /** Moves files out of incoming/ in the plan's order (data first, markers last). */
  const executeMoves = async (session: DropSession, folder: string, plan: Map<string, string>): Promise<SettledFile[]> => {
    const moved: SettledFile[] = [];
    for (const [name, target] of plan) {
      await session.rename(`${incoming}/${name}`, `${folder}/${target}`);
      moved.push({ name, movedTo: `${folder}/${target}` });
    }
    return moved;
  };

  const moveOut = async (session: DropSession, folder: string, names: readonly string[], reserveErrorNotes = false): Promise<SettledFile[]> =>
    executeMoves(session, folder, await planMoves(session, folder, names, reserveErrorNotes));

  const markersOf = (chosen: CompleteExport, plainDone: DropEntry | undefined): string[] => {
    const names = [chosen.candidate.manifest?.name, chosen.candidate.done?.name, plainDone?.name].filter((name): name is string => name !== undefined);
    return [...new Set(names)];
  };

  const archiveFolder = () => `${archive}/${dayIn(now(), timeZone)}`;

  const quarantine = async (session: DropSession, chosen: CompleteExport, plainDone: DropEntry | undefined, note: ErrorNote): Promise<SettledFile[]> => {
    const dataNames = chosen.files.map((file) => file.name);
    const moved = await moveOut(session, failed, [...dataNames, ...markersOf(chosen, plainDone)], true);
    for (const file of moved) {
      if (!dataNames.includes(file.name)) continue;
      await session.writeFile(`${file.movedTo}.error.txt`, errorNoteText(note, file.name, chosen));
    }
    return moved;
  };

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
        const first = await listIncoming(session);
        if (first.ignored.length > 0) logger.debug({ ignored: first.ignored }, 'names in incoming that are not read');
        const manifests = new Map<string, Manifest | { problem: string }>();
        for (const candidate of first.candidates) {
          if (candidate.manifest) manifests.set(candidate.key, await readManifest(session, candidate.manifest, candidate.key, workDir));
        }
        const plainDone = first.plainDone !== undefined;
        let later: IncomingListing | undefined;
        if (first.candidates.some((candidate) => needsSecondListing(candidate, plainDone))) {
          logger.debug({ seconds: settings.stableSeconds }, 'waiting to see whether unmarked exports hold still');
          await sleep(settings.stableSeconds * 1000);
          later = await listIncoming(session);
        }

        const complete: CompleteExport[] = [];
        for (const candidate of first.candidates) {
          const manifest = manifests.get(candidate.key);
          const judged = judgeCompleteness({
            candidate,
            ...(manifest && { manifest }),
            plainDone,
            ...(later && { later: later.candidates.find((other) => other.key === candidate.key) ?? 'absent' }),
          });
          if (!judged.complete) {
            logger.info({ export: exportIdOf(candidate.key), reason: judged.reason }, 'export not complete yet; left in incoming');
            continue;
          }
          const usable = manifest && !('problem' in manifest) ? manifest : undefined;
          const order = usable?.asOf ? Date.parse(usable.asOf) : (dateInName(candidate.key, timeZone)?.getTime() ?? Math.max(...judged.files.map((file) => file.mtimeMs)));
          complete.push({ candidate, files: judged.files, by: judged.by, ...(usable && { manifest: usable }), order });
        }
        complete.sort((a, b) => b.order - a.order || (a.candidate.key < b.candidate.key ? 1 : -1));
        const [chosen, ...superseded] = complete;
        if (!chosen) {
          logger.info({ waiting: first.candidates.length }, 'no complete export in incoming');
          return undefined;
        }
        const id = exportIdOf(chosen.candidate.key);
        logger.info({ export: id, completeBy: chosen.by, files: chosen.files.map((file) => file.name), superseded: superseded.map((old) => exportIdOf(old.candidate.key)) }, 'newest complete export');

        const problem = problemOf(chosen.files);
        if (problem) {
          const message = `${storage.description}/${incoming}: export ${id} ${problem.message}`;
          if (dryRun) throw new SourceError(problem.code, `${message} (dry run: left in ${incoming}/)`);
          await quarantine(session, chosen, first.plainDone, { outcome: 'invalid', reason: message, at: now(), source: storage.description, incoming });
          throw new SourceError(problem.code, `${message}; moved to ${failed}/ with a .error.txt per file`);
        }

        const exportDir = join(workDir, 'export');
        const fetched = await fetchExport(session, chosen, exportDir);
        const ledger = sourceLedger(context.db);
        const processed = fetched.map((file) => ledger.find(file.name, file.sha256));
        if (processed.every((entry) => entry !== undefined)) {
          logger.info({ export: id, processedAt: processed[0]?.processedAt }, 'export already processed (same names and content); not synced again');
          if (!dryRun) {
            const folder = archiveFolder();
            await moveOut(session, folder, [...chosen.files.map((file) => file.name), ...markersOf(chosen, first.plainDone)]);
            for (const old of superseded) await moveOut(session, folder, [...old.files.map((file) => file.name), ...markersOf(old, undefined)]);
            logger.info({ export: id, movedTo: folder, superseded: superseded.map((old) => exportIdOf(old.candidate.key)) }, 'archived as already processed');
          }
          return undefined;
        }

        const files = exportFilesIn(exportDir, fetched.map((file) => file.name));
        const asOf = chosen.manifest?.asOf ? { asOf: new Date(chosen.manifest.asOf), asOfFrom: 'manifest' as const } : asOfExport(files, timeZone);
        const pulled: PulledExport = {
          id,
          files,
          ...asOf,
          ...(superseded.length > 0 && { superseded: superseded.map((old) => ({ id: exportIdOf(old.candidate.key), files: old.files.map((file) => file.name) })) }),
        };
        pending = { pulled, chosen, superseded, ...(first.plainDone && { plainDone: first.plainDone }), fetched, db: context.db, logger, workDir };
        keepWorkDir = true;
        return pulled;
      } finally {
        await session?.close();
        if (!keepWorkDir) await rm(workDir, { recursive: true, force: true });
      }
    },

    async settle(pulled, outcome, reason) {
      const state = pending;
      if (!state || state.pulled !== pulled) return [];
      pending = undefined;
      try {
        if (outcome === 'dry-run' || outcome === 'retry') return state.fetched.map((file) => ({ name: file.name }));
        const session = await storage.open(state.logger);
        try {
          const settled = await settleChosen(session, state, outcome, reason);
          const folder = archiveFolder();
          for (const [index, old] of state.superseded.entries()) {
            settled.push(...(await moveOut(session, folder, [...old.files.map((file) => file.name), ...markersOf(old, undefined)])));
            const entry = pulled.superseded?.[index];
            if (entry) entry.movedTo = folder;
          }
          state.logger.info({ export: pulled.id, outcome, moved: settled.length, superseded: state.superseded.length }, 'export settled');
          return settled;
        } finally {
          await session.close();
        }
      } finally {
        await rm(state.workDir, { recursive: true, force: true });
      }
    },

    async close() {
      await discardPending();
    },
  };

  async function settleChosen(session: DropSession, state: Pending, outcome: Exclude<RunOutcome, 'dry-run' | 'retry'>, reason: string | undefined): Promise<SettledFile[]> {
    const names = [...state.fetched.map((file) => file.name), ...markersOf(state.chosen, state.plainDone)];
    if (outcome === 'succeeded' || outcome === 'partial') {
      const folder = archiveFolder();
      // The ledger is written before the files move: if a move fails, the files left in incoming/ are
      // recognised as processed on the next run instead of being synced twice.
      const plan = await planMoves(session, folder, names);
      sourceLedger(state.db).record(
        state.fetched.map((file) => ({
          name: file.name,
          sha256: file.sha256,
          bytes: file.size,
          exportId: state.pulled.id,
          source: storage.description,
          outcome,
          processedAt: now().toISOString(),
          movedTo: `${folder}/${plan.get(file.name)}`,
        })),
      );
      return executeMoves(session, folder, plan);
    }
    return quarantine(session, state.chosen, state.plainDone, { outcome, reason: reason ?? '(no reason given)', at: now(), source: storage.description, incoming });
  }

  async function discardPending(): Promise<void> {
    const state = pending;
    pending = undefined;
    if (state) await rm(state.workDir, { recursive: true, force: true });
  }
}

/** What makes a complete export unusable: no members file, or two files of one kind. */
function problemOf(files: readonly DataFile[]): { code: 'SOURCE_NO_MEMBERS' | 'SOURCE_AMBIGUOUS'; message: string } | undefined {
  const byKind = new Map<ExportKind, string[]>();
  for (const file of files) byKind.set(file.kind, [...(byKind.get(file.kind) ?? []), file.name]);
  for (const [kind, names] of byKind) {
    if (names.length > 1) return { code: 'SOURCE_AMBIGUOUS', message: `has ${names.length} ${KINDS[kind].filePrefix}*.csv files (${names.join(', ')}); an export holds one per kind` };
  }
  if (!byKind.has('members')) return { code: 'SOURCE_NO_MEMBERS', message: `has no members file (required); it holds ${files.map((file) => file.name).join(', ')}` };
  return undefined;
}

/** The same name, or `<stem>.2<ext>`, `<stem>.3<ext>`… when taken (also when its `.error.txt` is taken). */
function freeName(name: string, taken: Set<string>, reserveErrorNote: boolean): string {
  const ext = posix.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  const isFree = (candidate: string) => !taken.has(candidate) && !(reserveErrorNote && taken.has(`${candidate}.error.txt`));
  let candidate = name;
  for (let n = 2; !isFree(candidate); n++) candidate = `${stem}.${n}${ext}`;
  taken.add(candidate);
  if (reserveErrorNote) taken.add(`${candidate}.error.txt`);
  return candidate;
}

/** `YYYY-MM-DD` of an instant in a time zone. */
function dayIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

interface ErrorNote {
  outcome: 'failed' | 'refused' | 'invalid';
  reason: string;
  at: Date;
  source: string;
  incoming: string;
}

function errorNoteText(note: ErrorNote, name: string, chosen: CompleteExport): string {
  const file = chosen.files.find((candidate) => candidate.name === name);
  return [
    'loyalty-sync did not sync this file.',
    '',
    `file:     ${name}${file ? ` (${file.size} bytes)` : ''}`,
    `export:   ${chosen.candidate.key || '(no key)'}: ${chosen.files.map((candidate) => candidate.name).join(', ')}`,
    `outcome:  ${note.outcome}`,
    `reason:   ${note.reason}`,
    `when:     ${note.at.toISOString()}`,
    `source:   ${note.source}`,
    '',
    `To try again, fix the cause, then move the export's files back into ${note.incoming}/ together with its`,
    '.done marker or manifest (without one, the files are taken once their sizes hold still).',
    '',
  ].join('\n');
}
