// A file of the export that cannot be read is the export's problem: the run fails with a code naming the
// file (CSV_UNREADABLE), not with a state-file code and its advice, and nothing is sent.
import { chmodSync, cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

// Root reads any file: as root, the job runs as `nobody`, as it would under its own service user.
const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

describe('an export file that cannot be read', () => {
  it('fails the run as CSV_UNREADABLE naming the file; nothing is sent', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    chmodSync(dir, 0o777);
    const exported = join(dir, 'export');
    cpSync(join(SAMPLES, 'night-1'), exported, { recursive: true });
    chmodSync(exported, 0o755);
    chmodSync(join(exported, 'coupons.csv'), 0o000);
    const args = ['run', '--source', exported, '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url];
    const result = await runCli(args, CREDENTIALS_ENV, UNPRIVILEGED);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(report.error).toMatchObject({ code: 'CSV_UNREADABLE', message: expect.stringContaining('coupons.csv') });
    expect(report.error.message).not.toContain('state file');
    expect(sandbox.stats().requests).toBe(0);
  });
});
