// Where a drop folder's export goes depends on why a run ended: a bad export is quarantined, a run that
// failed for another reason (the API, a signal) leaves it in incoming/ for the next run.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { dropFolderWith } from '../fixtures/drop-folder.ts';
import { tempDir } from '../fixtures/temp.ts';


describe('drop folder outcomes', () => {
  it('leaves the export in incoming/ when the API refuses our credentials, and archives it once synced', async () => {
    const sandbox = await sandboxForTest({ credentials: { clientId: 'right', clientSecret: 'right', subscriptionKey: 'right', merchantSerialNumber: '1' } });
    const root = dropFolderWith('night-1');
    const dir = tempDir();
    const failed = await syncOnce({ source: root }, dir, sandbox.url);
    expect(failed.report).toMatchObject({ status: 'failed', error: { code: 'API_TOKEN_FAILED' } });
    expect(readdirSync(join(root, 'incoming'))).toContain('members.csv');
    expect(existsSync(join(root, 'failed'))).toBe(false);

    const sandboxOk = await sandboxForTest();
    const synced = await syncOnce({ source: root }, dir, sandboxOk.url);
    expect(synced.report.status).toBe('succeeded');
    expect(readdirSync(join(root, 'incoming'))).toEqual([]);
    expect(synced.report.source.files.every((file) => file.movedTo?.startsWith('archive/'))).toBe(true);
  });

  it('quarantines an export with a broken file in failed/ with a note', async () => {
    const sandbox = await sandboxForTest();
    const root = dropFolderWith('night-1');
    writeFileSync(join(root, 'incoming', 'coupons.csv'), 'contact_id,title\nM-10001,Kaffe\n');
    const { report } = await syncOnce({ source: root }, tempDir(), sandbox.url);
    expect(report).toMatchObject({ status: 'failed', error: { code: 'CSV_MISSING_COLUMN' } });
    expect(sandbox.stats().requests).toBe(0);
    const failed = readdirSync(join(root, 'failed'));
    expect(failed).toEqual(expect.arrayContaining(['coupons.csv', 'coupons.csv.error.txt', 'members.csv']));
  });
});
