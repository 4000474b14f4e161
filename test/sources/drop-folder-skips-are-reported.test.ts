// An export a drop folder leaves in incoming/ night after night (its manifest's sizes do not match, its
// manifest is not JSON, or lists a file outside the export), and a symbolic link that is never read, are
// named with their reason in the report's warnings and in report.html, not only in a log line: for a local
// drop folder and one on SFTP (the in-process server), with the real CLI.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';
import { readReportHtml } from '../report/fixtures/report-html-reader.ts';
import { BACKENDS, csv, openBackend, SFTP_USER } from './fixtures/drop-backends.ts';

describe.each(BACKENDS)('a %s drop folder', (kind) => {
  it('reports every export it leaves in incoming/ with the reason, and every symbolic link it does not follow', async () => {
    const backend = await openBackend(kind);
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const members = csv('members', 3);
    // The export that is complete (a .done marker) and synced.
    backend.put('members-2026-11-25.csv', members);
    backend.put('2026-11-25.done', '');
    // A manifest whose size is not the file's.
    backend.put('members-2026-11-24.csv', members);
    backend.put('2026-11-24.manifest.json', JSON.stringify({ files: [{ name: 'members-2026-11-24.csv', size: members.length + 7 }] }));
    // A manifest that is not JSON.
    backend.put('members-2026-11-23.csv', members);
    backend.put('2026-11-23.manifest.json', '{"files": [');
    // A manifest naming a file outside the drop folder.
    backend.put('members-2026-11-22.csv', members);
    backend.put('2026-11-22.manifest.json', JSON.stringify({ files: [{ name: '../members-2026-11-22.csv', size: members.length }] }));
    // An export linked into incoming/ instead of copied there.
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'members.csv'), members);
    symlinkSync(join(dir, 'elsewhere', 'members.csv'), join(backend.root, 'incoming', 'members-2026-11-21.csv'));

    const source = kind === 'sftp' ? `sftp://${SFTP_USER.username}@127.0.0.1:${backend.server!.port}/drop` : backend.root;
    const sftp = kind === 'sftp' ? ['--sftp-host-key', backend.server!.hostKeyFingerprint] : [];
    const env = { ...CREDENTIALS_ENV, LOYALTY_SYNC_SFTP_PASSWORD: SFTP_USER.password };
    const run = () =>
      runCli(['run', '--source', source, ...sftp, '--drop-stable-seconds', '0', '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url], env);

    const expected = [
      expect.stringMatching(/\/incoming\/members-2026-11-21\.csv is a symbolic link: not read \(links are never followed\)/),
      expect.stringMatching(/\/incoming: export 2026-11-22 not synced: 2026-11-22\.manifest\.json cannot be used: lists \.\.\/members-2026-11-22\.csv, which is not a CSV file of export "2026-11-22".*; it stays in incoming\/$/),
      expect.stringMatching(/\/incoming: export 2026-11-23 not synced: 2026-11-23\.manifest\.json cannot be used: not valid JSON: .*; it stays in incoming\/$/),
      expect.stringMatching(new RegExp(`/incoming: export 2026-11-24 not synced: members-2026-11-24\\.csv has ${members.length} bytes, 2026-11-24\\.manifest\\.json says ${members.length + 7}; it stays in incoming/$`)),
    ];
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(readFileSync(/report (\S+report\.json)/.exec(first.stdout)![1]!, 'utf8'));
    expect(report).toMatchObject({ status: 'succeeded', source: { exportId: '2026-11-25' } });
    expect(report.warnings).toEqual(expected);
    const html = readReportHtml(readFileSync(join(dirname(/report (\S+report\.json)/.exec(first.stdout)![1]!), 'report.html'), 'utf8'));
    expect(html.section('warnings').querySelectorAll('li').map((li) => li.text)).toEqual(report.warnings);
    expect(html.root.querySelector('nav a[href="#warnings"] .badge')!.text).toBe('4');

    // The next night finds nothing new to sync, and says again what it left behind and why.
    const second = await run();
    expect(second.code).toBe(0);
    const skipped = JSON.parse(readFileSync(/report (\S+report\.json)/.exec(second.stdout)![1]!, 'utf8'));
    expect(skipped.status).toBe('skipped');
    expect(skipped.warnings).toEqual(expected);
    expect(backend.names('incoming')).toEqual([
      '2026-11-22.manifest.json',
      '2026-11-23.manifest.json',
      '2026-11-24.manifest.json',
      'members-2026-11-21.csv',
      'members-2026-11-22.csv',
      'members-2026-11-23.csv',
      'members-2026-11-24.csv',
    ]);
  });
});
