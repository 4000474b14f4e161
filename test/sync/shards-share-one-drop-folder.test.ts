// N shards (`run --shard i/N`) on one drop folder, as an Indexed Job runs them: every shard reads the
// whole export, so none may put it away on its own. The export stays in incoming/ until every shard has
// its outcome, and the last one to finish archives it, once (README "Sharding"). Real CLI processes at
// once, real files, the sandbox over loopback; a shard is held in the middle of its night (a gate in front
// of the API, then SIGSTOP) or in the middle of downloading (an SFTP server holding its READs).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { shardOf } from '../../src/base/shard.ts';
import { CLI, CREDENTIALS_ENV, runCli, childEnv, type CliResult } from '../fixtures/cli.ts';
import { dropFolderWith } from '../fixtures/drop-folder.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';
import { openBackend, SFTP_USER } from '../sources/fixtures/drop-backends.ts';

const SHARDS = 4;
const NIGHT_1 = readdirSync(join(SAMPLES, 'night-1')).sort();

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};

interface ShardProcess {
  child: ChildProcess;
  done: Promise<CliResult>;
}

function startShard(index: number, source: string, dir: string, apiUrl: string, env: NodeJS.ProcessEnv = CREDENTIALS_ENV, extra: string[] = []): ShardProcess {
  const args = ['run', '--source', source, '--shard', `${index}/${SHARDS}`, '--state', join(dir, `shard-${index}.sqlite`), '--report-dir', join(dir, `reports-${index}`), '--api-url', apiUrl, ...extra];
  const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  });
  return { child, done };
}

const reportOf = (dir: string, index: number) => JSON.parse(readFileSync(join(dir, `reports-${index}`, 'latest.json'), 'utf8'));
const names = (folder: string) => (existsSync(folder) ? readdirSync(folder).sort() : []);

/** The one export's marker folder under shards/ and its files. */
function markers(root: string): string[] {
  const folders = names(join(root, 'shards'));
  expect(folders).toHaveLength(1);
  return names(join(root, 'shards', folders[0]!));
}

/** Every file of the export in one archive/<day>/ folder, each once (no `.2` copies), incoming/ empty. */
function expectArchivedOnce(root: string, files: string[]): void {
  expect(names(join(root, 'incoming'))).toEqual([]);
  const days = names(join(root, 'archive'));
  expect(days).toHaveLength(1);
  expect(names(join(root, 'archive', days[0]!))).toEqual(files);
  expect(existsSync(join(root, 'failed'))).toBe(false);
}

/** A proxy to the API that holds every request until `open()`: a shard stuck in its night, after reading. */
async function gatedProxy(target: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const gate = { url: '', requests: 0, open };
  const server = createServer(async (req, res) => {
    gate.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    await opened;
    try {
      const answer = await request(`${target}${req.url}`, { method: req.method as 'POST', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
      res.writeHead(answer.statusCode, answer.headers as Record<string, string>).end(Buffer.from(await answer.body.arrayBuffer()));
    } catch {
      res.destroy(); // the sandbox is gone (the test ended early)
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gate.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onTestFinished(() => {
    open();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return gate;
}

describe('shards on one drop folder', () => {
  it('4 shards at once: each member delivered once, nothing moved while a shard is still in its night, archived once by the last', async () => {
    const sandbox = await sandboxForTest();
    const root = dropFolderWith('night-1');
    const exportFiles = names(join(root, 'incoming'));
    const dir = tempDir();
    const gate = await gatedProxy(sandbox.url);
    const held = 2;
    const shards = Array.from({ length: SHARDS }, (_, index) => startShard(index, root, dir, index === held ? gate.url : sandbox.url));

    // Shard 2 has read the export and is waiting on the API: freeze it there.
    await until(() => gate.requests > 0);
    shards[held]!.child.kill('SIGSTOP');
    const others = await Promise.all(shards.filter((_, index) => index !== held).map((shard) => shard.done));
    expect(others.map((result) => result.code)).toEqual([0, 0, 0]);

    // The three are done; the export stays whole in incoming/, waiting for shard 2.
    expect(names(join(root, 'incoming'))).toEqual(exportFiles);
    expect(existsSync(join(root, 'archive'))).toBe(false);
    expect(markers(root)).toEqual(['shard-0-of-4.done', 'shard-1-of-4.done', 'shard-2-of-4.reading', 'shard-3-of-4.done']);
    for (const index of [0, 1, 3]) {
      const report = reportOf(dir, index);
      expect(report.status).toBe('succeeded');
      expect(report.source.files.every((file: { movedTo?: string }) => file.movedTo === undefined)).toBe(true);
      // Each names the shards it waited for when it ended; shard 2 is among them for all three.
      expect(report.warnings).toContainEqual(expect.stringMatching(/stays in incoming\/ until shards? (\d, )*2(, \d)* of 4 ha(s|ve) finished with it/));
    }

    shards[held]!.child.kill('SIGCONT');
    gate.open();
    expect((await shards[held]!.done).code).toBe(0);
    expectArchivedOnce(root, exportFiles);
    const last = reportOf(dir, held);
    const movedTo = Object.fromEntries(last.source.files.map((file: { name: string; movedTo?: string }) => [file.name, file.movedTo]));
    expect(movedTo).toEqual(Object.fromEntries(NIGHT_1.map((name) => [name, expect.stringMatching(new RegExp(`^archive/\\d{4}-\\d{2}-\\d{2}/${name}$`))])));
    expect(markers(root)).toEqual(['settle-1.lock', 'settled.json', 'shard-0-of-4.done', 'shard-1-of-4.done', 'shard-2-of-4.done', 'shard-3-of-4.done']);

    // Every member delivered exactly once across the shards.
    const totals = Array.from({ length: SHARDS }, (_, index) => reportOf(dir, index).members.total);
    expect(totals.every((total) => total > 0)).toBe(true);
    expect(totals.reduce((a, b) => a + b)).toBe(60);
    expect(sandbox.members()).toHaveLength(60);
    expect(sandbox.stats()).toMatchObject({ accepted: 149, duplicates: 0, anomalies: [] });

    // A shard run again afterwards finds nothing to read and moves nothing.
    const again = await runCli(['run', '--source', root, '--shard', `1/${SHARDS}`, '--state', join(dir, 'shard-1.sqlite'), '--report-dir', join(dir, 'reports-1'), '--api-url', sandbox.url], CREDENTIALS_ENV);
    expect(again.code).toBe(0);
    expect(reportOf(dir, 1).status).toBe('skipped');
    expectArchivedOnce(root, exportFiles);
  });

  it('a shard that fails for a reason outside the export (the API refused its credentials) keeps the export in incoming/ until its re-run succeeds', async () => {
    const credentials = { clientId: 'c', clientSecret: 's', subscriptionKey: 'k', merchantSerialNumber: '1' };
    const sandbox = await sandboxForTest({ credentials });
    const root = dropFolderWith('night-1');
    const exportFiles = names(join(root, 'incoming'));
    const dir = tempDir();
    const failing = 1;
    const shards = Array.from({ length: SHARDS }, (_, index) => startShard(index, root, dir, sandbox.url, index === failing ? { ...CREDENTIALS_ENV, VIPPS_CLIENT_SECRET: 'wrong' } : CREDENTIALS_ENV));
    const results = await Promise.all(shards.map((shard) => shard.done));
    expect(results.map((result) => result.code)).toEqual([0, 1, 0, 0]);
    expect(reportOf(dir, failing)).toMatchObject({ status: 'failed', error: { code: 'API_TOKEN_FAILED' } });

    // Nothing moved, and the failed shard left no outcome: it owes the export another run.
    expect(names(join(root, 'incoming'))).toEqual(exportFiles);
    expect(existsSync(join(root, 'archive'))).toBe(false);
    expect(existsSync(join(root, 'failed'))).toBe(false);
    expect(markers(root)).toEqual(['shard-0-of-4.done', 'shard-2-of-4.done', 'shard-3-of-4.done']);

    const rerun = await startShard(failing, root, dir, sandbox.url).done;
    expect(rerun.code).toBe(0);
    expect(reportOf(dir, failing).status).toBe('succeeded');
    expectArchivedOnce(root, exportFiles);
    expect(sandbox.members()).toHaveLength(60);
    expect(sandbox.stats()).toMatchObject({ accepted: 149, duplicates: 0 });
  });

  it('one shard refused by a guard: once all have ended, the export goes to failed/ with a note naming that shard', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const first = dropFolderWith('night-1');
    const night1 = await Promise.all(Array.from({ length: SHARDS }, (_, index) => startShard(index, first, dir, sandbox.url).done));
    expect(night1.map((result) => result.code)).toEqual([0, 0, 0, 0]);

    // Night 2: all members of shard 0 but one are gone from the export (far more than 5% of that shard's).
    const root = dropFolderWith('night-1');
    const [header, ...rows] = readFileSync(join(SAMPLES, 'night-1', 'members.csv'), 'utf8').split('\n');
    const ofShard0 = rows.filter((row) => row !== '' && shardOf(row.split(',')[0]!, SHARDS) === 0);
    writeFileSync(join(root, 'incoming', 'members.csv'), [header, ...rows.filter((row) => !ofShard0.slice(1).includes(row))].join('\n'));
    const night2 = await Promise.all(Array.from({ length: SHARDS }, (_, index) => startShard(index, root, dir, sandbox.url).done));
    expect(night2.map((result) => result.code)).toEqual([4, 0, 0, 0]);
    expect(reportOf(dir, 0)).toMatchObject({ status: 'refused', error: { code: expect.stringMatching(/^GUARD_/) } });

    expect(names(join(root, 'incoming'))).toEqual([]);
    expect(existsSync(join(root, 'archive'))).toBe(false);
    expect(names(join(root, 'failed'))).toEqual(expect.arrayContaining(['members.csv', 'members.csv.error.txt', 'coupons.csv', 'coupons.csv.error.txt']));
    const note = readFileSync(join(root, 'failed', 'members.csv.error.txt'), 'utf8');
    expect(note).toMatch(/outcome: +refused/);
    expect(note).toContain('shard 0/4: refused');
    expect(note).not.toMatch(/shard [123]\/4/);
  });

  it('over SFTP: a shard held in the middle of a download keeps the export in place; the last one archives it once', async () => {
    const sandbox = await sandboxForTest();
    const backend = await openBackend('sftp');
    const server = backend.server!;
    for (const name of NIGHT_1) backend.put(name, readFileSync(join(SAMPLES, 'night-1', name)));
    backend.put('.done', '');
    const exportFiles = backend.names('incoming');
    // The first download of members.csv (whichever shard makes it) waits until the test lets it go.
    server.readFaults = [{ path: backend.serverPath('incoming/members.csv'), times: 1, mode: 'hold' }];
    const dir = tempDir();
    const env = { ...CREDENTIALS_ENV, LOYALTY_SYNC_SFTP_PASSWORD: SFTP_USER.password, LOYALTY_SYNC_SFTP_HOST_KEY: server.hostKeyFingerprint };
    const source = `sftp://${SFTP_USER.username}@127.0.0.1:${server.port}/drop`;
    const shards = Array.from({ length: SHARDS }, (_, index) => startShard(index, source, dir, sandbox.url, env, ['--sftp-timeout-ms', '600000']));

    await until(() => server.heldReads > 0);
    const finished = new Set<number>();
    shards.forEach((shard, index) => void shard.done.then(() => finished.add(index)));
    await until(() => finished.size === SHARDS - 1);
    const [heldIndex] = [0, 1, 2, 3].filter((index) => !finished.has(index));
    for (const index of finished) {
      const result = await shards[index]!.done;
      expect(result.code, result.stdout).toBe(0);
    }

    // Three shards synced their part; one is still downloading: nothing moved.
    expect(backend.names('incoming')).toEqual(exportFiles);
    expect(backend.names('archive')).toEqual([]);
    expect(markers(backend.root)).toContain(`shard-${heldIndex}-of-4.reading`);

    server.releaseHeldReads();
    expect((await shards[heldIndex!]!.done).code).toBe(0);
    expectArchivedOnce(backend.root, exportFiles);
    expect(sandbox.members()).toHaveLength(60);
    expect(sandbox.stats()).toMatchObject({ accepted: 149, duplicates: 0, anomalies: [] });
  });
});
