// End to end against a real OpenSSH sshd (started by the test) and the Loyalty API sandbox: a merchant
// uploads nightly exports over SFTP the way merchants do (temporary names renamed into place, files
// written in place, a .done marker or none), and the real job (runSync) picks each export up exactly
// once, archives or quarantines it, and says so in report.json. A wrong host key sends nothing.
//
// The nights run in order and build on each other, like the real thing.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import SftpClient from 'ssh2-sftp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { RUN_COMMAND } from '../../src/config/options.ts';
import { createLogger } from '../../src/log.ts';
import type { RunReport } from '../../src/base/report-schema.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { openSource } from '../../src/sources/open-source.ts';
import { dropFolderSettingsSchema, sftpSettingsSchema } from '../../src/config/source-settings.ts';
import { runSync } from '../../src/sync.ts';
import { needs, OPENSSH_SERVER, SSH_KEYGEN } from '../fixtures/system-programs.ts';
import { startOpenSsh, type OpenSshServer } from './fixtures/openssh-server.ts';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const sample = (night: string, file: string) => readFileSync(join(SAMPLES, night, file));
const KINDS = ['members', 'coupons', 'stamp_cards', 'bonus_checks'] as const;
const CREDENTIALS = { clientId: 'e2e-client', clientSecret: 'e2e-secret', subscriptionKey: 'e2e-key', merchantSerialNumber: '123456' };
/** Every run happens "on" this date (Europe/Oslo): archives go to archive/2026-11-24/. */
const RUN_DATE = new Date('2026-11-24T02:00:00Z');
const WRONG_HOST_KEY = '256 SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU someone-else (ED25519)';

describe('SFTP drop folder, end to end against OpenSSH', () => {
  const haveOpenSsh = needs(OPENSSH_SERVER, SSH_KEYGEN);
  let sshd: OpenSshServer;
  let sandbox: Sandbox;
  let merchant: SftpClient;
  let work: string;
  let drop: string;

  beforeAll(async () => {
    if (!haveOpenSsh) return;
    sshd = await startOpenSsh();
    sandbox = await startSandbox();
    work = mkdtempSync(join(tmpdir(), 'loyalty-sync-e2e-'));
    drop = posix.join(sshd.home, 'drop');
    merchant = new SftpClient('merchant', { error: () => {}, end: () => {}, close: () => {} });
    const connecting = merchant.connect({ host: '127.0.0.1', port: sshd.port, username: sshd.username, privateKey: readFileSync(sshd.userKeyPath), hostVerifier: () => true });
    (merchant as unknown as { client: { setNoDelay(on: boolean): void } }).client.setNoDelay(true);
    await connecting;
    await merchant.mkdir(`${drop}/incoming`, true);
  });

  afterAll(async () => {
    await merchant?.end();
    await sandbox?.close();
    await sshd?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The merchant's uploader: writes to `<name>.part`, then renames it into place. */
  const upload = async (name: string, content: Buffer | string) => {
    await merchant.put(Buffer.from(content), `${drop}/incoming/${name}.part`);
    await merchant.rename(`${drop}/incoming/${name}.part`, `${drop}/incoming/${name}`);
  };
  /** Another kind of uploader: writes the file in place, in pieces. */
  const writeInPlace = (name: string, content: Buffer | string) => merchant.put(Buffer.from(content), `${drop}/incoming/${name}`);
  const appendInPlace = (name: string, content: Buffer) => merchant.append(content, `${drop}/incoming/${name}`);
  const names = (folder: string) => (existsSync(join(drop, folder)) ? readdirSync(join(drop, folder)).sort() : []);

  /** One real run of the job against the drop folder; `duringStabilityWait` runs while it waits between its two listings. */
  async function runJob(options: { hostKey?: string; duringStabilityWait?: () => Promise<void> } = {}): Promise<RunReport> {
    const config = loadConfig(
      { ...RUN_COMMAND, secrets: false },
      { source: `sftp://${sshd.username}@127.0.0.1:${sshd.port}${drop}`, state: join(work, 'state.sqlite'), 'report-dir': join(work, 'reports'), 'api-url': sandbox.url, 'log-level': 'silent' },
      {},
    );
    const sftp = sftpSettingsSchema.parse({ privateKeyPath: sshd.userKeyPath, hostKey: options.hostKey ?? sshd.hostKeyLine, retryBaseDelayMs: 10 });
    const source = openSource(config.source, { timeZone: config.timeZone, sftp, dropFolder: dropFolderSettingsSchema.parse({ stableSeconds: 5 }) }, {
      now: () => RUN_DATE,
      // Stands in for the 5 s wait: whatever the merchant does meanwhile happens here.
      sleep: async () => options.duringStabilityWait?.(),
    });
    try {
      const { reportPath } = await runSync({ config: { ...config, credentials: CREDENTIALS }, source, logger: createLogger({ level: 'silent' }) });
      return JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
    } finally {
      await source.close();
    }
  }

  it('refuses a server whose host key is not the pinned one: the run fails and nothing is sent or moved', async () => {
    // Night 23 (night-1 of the samples), uploaded properly and marked done; an older export 22 left over
    // from an outage; and tomorrow's members file still uploading under a temporary name.
    for (const kind of KINDS) await upload(`${kind}-2026-11-23.csv`, sample('night-1', `${kind}.csv`));
    await writeInPlace('2026-11-23.done', '');
    await upload('members-2026-11-22.csv', sample('night-1', 'members.csv'));
    await writeInPlace('2026-11-22.done', '');
    await writeInPlace('members-2026-11-24.csv.part', sample('night-2', 'members.csv').subarray(0, 500));
    const before = names('incoming');

    const report = await runJob({ hostKey: WRONG_HOST_KEY });
    expect(report.status).toBe('failed');
    expect(report.exitCode).toBe(1);
    expect(report.error?.code).toBe('SFTP_HOST_KEY_MISMATCH');
    expect(report.error?.message).toContain(sshd.hostKeyLine.split(' ')[1]);
    expect(sandbox.stats()).toMatchObject({ requests: 0, tokensIssued: 0, accepted: 0 });
    expect(names('incoming')).toEqual(before);
  });

  it('syncs the newest complete export, archives it with the superseded older one, and never reads the .part', async () => {
    const report = await runJob();
    expect(report.status).toBe('succeeded');
    expect(report.source).toMatchObject({ description: `sftp://${sshd.username}@127.0.0.1:${sshd.port}${drop}`, exportId: '2026-11-23', asOfFrom: 'file name' });
    expect(report.source.files.map((file) => `${file.name} → ${file.movedTo}`).sort()).toEqual(KINDS.map((kind) => `${kind}-2026-11-23.csv → archive/2026-11-24/${kind}-2026-11-23.csv`).sort());
    expect(report.source.superseded).toEqual([{ id: '2026-11-22', files: ['members-2026-11-22.csv'], movedTo: 'archive/2026-11-24' }]);
    expect(report.events.accepted).toBe(149);
    expect(sandbox.members()).toHaveLength(60);

    expect(names('archive/2026-11-24')).toEqual(['2026-11-22.done', '2026-11-23.done', ...KINDS.map((kind) => `${kind}-2026-11-23.csv`), 'members-2026-11-22.csv'].sort());
    expect(readFileSync(join(drop, 'archive/2026-11-24/coupons-2026-11-23.csv'))).toEqual(sample('night-1', 'coupons.csv'));
    expect(names('incoming')).toEqual(['members-2026-11-24.csv.part']);
    expect(names('failed')).toEqual([]);
  });

  it('leaves an export alone while one of its files is still being written', async () => {
    // The members upload finishes and is renamed into place; the coupons are written in place, in pieces.
    await upload('members-2026-11-24.csv', sample('night-2', 'members.csv'));
    const coupons = sample('night-2', 'coupons.csv');
    const half = Math.floor(coupons.length / 2);
    await writeInPlace('coupons-2026-11-24.csv', coupons.subarray(0, half));
    const accepted = sandbox.stats().accepted;

    // The rest of the coupons arrive while the job waits between its two listings.
    const report = await runJob({
      duringStabilityWait: async () => {
        await appendInPlace('coupons-2026-11-24.csv', coupons.subarray(half));
      },
    });
    expect(report.status).toBe('skipped');
    expect(report.exitCode).toBe(0);
    expect(sandbox.stats().accepted).toBe(accepted);
    expect(names('incoming')).toEqual(['coupons-2026-11-24.csv', 'members-2026-11-24.csv']);
  });

  it('syncs the export once its files hold still, without any marker', async () => {
    await writeInPlace('stamp_cards-2026-11-24.csv', sample('night-2', 'stamp_cards.csv'));
    await writeInPlace('bonus_checks-2026-11-24.csv', sample('night-2', 'bonus_checks.csv'));
    const accepted = sandbox.stats().accepted;

    const report = await runJob();
    expect(report.status).toBe('succeeded');
    expect(report.source.exportId).toBe('2026-11-24');
    expect(report.events.accepted).toBe(31);
    expect(report.rows.rejected).toBe(4);
    expect(sandbox.stats().accepted).toBe(accepted + 31);
    expect(sandbox.members()).toHaveLength(62);
    expect(report.source.files.every((file) => file.movedTo === `archive/2026-11-24/${file.name}`)).toBe(true);
    expect(readFileSync(join(drop, 'archive/2026-11-24/coupons-2026-11-24.csv'))).toEqual(sample('night-2', 'coupons.csv'));
    expect(names('incoming')).toEqual([]);
  });

  it('puts a refused export into failed/ with an error note saying why, and sends nothing', async () => {
    // The columns of the last successful run's members file (a column gone since then is an error of its own), no rows.
    await upload('members-2026-11-25.csv', `${sample('night-1', 'members.csv').toString('utf8').split('\n')[0]}\n`);
    await writeInPlace('2026-11-25.done', '');
    const accepted = sandbox.stats().accepted;

    const report = await runJob();
    expect(report.status).toBe('refused');
    expect(report.exitCode).toBe(4);
    expect(report.error?.code).toBe('GUARD_EMPTY_FILE');
    expect(report.source.files).toEqual([expect.objectContaining({ name: 'members-2026-11-25.csv', movedTo: 'failed/members-2026-11-25.csv' })]);
    expect(sandbox.stats().accepted).toBe(accepted);
    expect(names('failed')).toEqual(['2026-11-25.done', 'members-2026-11-25.csv', 'members-2026-11-25.csv.error.txt']);
    const note = readFileSync(join(drop, 'failed/members-2026-11-25.csv.error.txt'), 'utf8');
    expect(note).toContain('outcome:  refused');
    expect(note).toContain('reason:   members-2026-11-25.csv is empty');
    expect(names('incoming')).toEqual([]);
  });

  it('does not sync again files it already synced when the uploader sends them once more', async () => {
    for (const kind of KINDS) await upload(`${kind}-2026-11-24.csv`, sample('night-2', `${kind}.csv`));
    await writeInPlace('2026-11-24.done', '');
    const stats = sandbox.stats();

    const report = await runJob();
    expect(report.status).toBe('skipped');
    expect(sandbox.stats()).toMatchObject({ requests: stats.requests, accepted: stats.accepted });
    expect(names('incoming')).toEqual([]);
    expect(names('archive/2026-11-24')).toContain('members-2026-11-24.2.csv');
  });
});
