// The README's first command: `npm run demo` works from the project folder and says where the reports are.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/temp.ts';
import { readReportHtml } from '../report/fixtures/report-html-reader.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run demo', () => {
  it('runs both sample nights against the sandbox and prints the report paths', () => {
    const out = tempDir();
    const result = spawnSync('npm', ['run', '--silent', 'demo', '--', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/night-1: loyalty-sync \S+: succeeded · 60 members \(60 new/);
    // 62 contacts in night-2's members file (one of them only on a rejected row) and 3 departed: 65, in parts that add up.
    expect(result.stdout).toMatch(/night-2: loyalty-sync \S+: succeeded, 4 members left untouched · 65 members \(5 new, 13 changed, 40 unchanged, 3 deleted, 0 failed, 4 untouched\) · 31\/31 events accepted/);
    const reports = [...result.stdout.matchAll(/report (\S+report\.json)/g)].map((match) => match[1]!);
    expect(reports).toHaveLength(2);
    for (const report of reports) expect(existsSync(report)).toBe(true);
    const night2 = JSON.parse(readFileSync(reports[1]!, 'utf8'));
    expect(night2.rejects.file).toBe('rejects.csv');
    expect(result.stdout).toContain(`rejected rows: ${join(dirname(reports[1]!), 'rejects.csv')}`);
    // Night-2's readable report names its untouched members, each with the row that held it back.
    const htmlPath = join(dirname(reports[1]!), 'report.html');
    expect(result.stdout).toContain(`readable report: ${htmlPath}`);
    const untouched = readReportHtml(readFileSync(htmlPath, 'utf8')).table('untouched')!;
    expect(untouched.map((row) => [row.contact, row.where])).toEqual([
      ['M-10017', 'members.csv:64'],
      ['M-10029', 'coupons.csv:13'],
      ['M-10046', 'stamp_cards.csv:32'],
      ['M-10052', 'members.csv:13'],
    ]);
    expect(night2.untouched.map((member: { contactId: string }) => member.contactId)).toEqual(['M-10017', 'M-10029', 'M-10046', 'M-10052']);
    expect(result.stdout).toMatch(/0 anomalies/);
  });
});
