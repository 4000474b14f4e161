// The README's first command: `npm run demo` works from the project folder and says where the reports are.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/temp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run demo', () => {
  it('runs both sample nights against the sandbox and prints the report paths', () => {
    const out = tempDir();
    const result = spawnSync('npm', ['run', '--silent', 'demo', '--', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/night-1: loyalty-sync \S+: succeeded · 60 members \(60 new/);
    expect(result.stdout).toMatch(/night-2: loyalty-sync \S+: succeeded · 61 members \(5 new, \d+ changed, \d+ unchanged, 3 deleted, 0 failed, 4 untouched\) · 31\/31 events accepted/);
    const reports = [...result.stdout.matchAll(/report (\S+report\.json)/g)].map((match) => match[1]!);
    expect(reports).toHaveLength(2);
    for (const report of reports) expect(existsSync(report)).toBe(true);
    expect(JSON.parse(readFileSync(reports[1]!, 'utf8')).rejects.file).toBe('rejects.csv');
    expect(result.stdout).toMatch(/0 anomalies/);
  });
});
