// The direction of imports (README "Development"), checked by dependency-cruiser with the rules CI runs
// (.ci/dependency-rules.cjs): the sources as they are break none, and a copy of them with one wrong import
// of each kind breaks the rule meant for it, so the rules cannot quietly stop checking.
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/temp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULES = join(ROOT, '.ci', 'dependency-rules.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

/** The names of the rules the sources under `cwd`/src break, one entry per violation. */
async function brokenRules(cwd: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(DEPCRUISE, ['src', '--config', RULES, '--output-type', 'json', '--no-progress'], { cwd, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const result = JSON.parse(stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return result.summary.violations.map((violation) => violation.rule.name);
}

describe('import direction', () => {
  it('holds for the sources as they are', async () => {
    expect(await brokenRules(ROOT)).toEqual([]);
  });

  it('catches an upward import, a stage importing another, the job importing a tool, and a cycle', async () => {
    const copy = tempDir('loyalty-sync-imports-');
    cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
    const add = (file: string, line: string) => appendFileSync(join(copy, 'src', file), `\n${line}\n`);
    add('base/kinds.ts', "import '../config/schema.ts';");
    add('state/store.ts', "import '../plan/plan-run.ts';");
    add('report/build-report.ts', "import '../deliver/deliver.ts';");
    add('sync.ts', "import '../src/sandbox/server.ts';");
    add('plan/guards.ts', "import '../bench/targets.ts';");
    writeFileSync(join(copy, 'src', 'plan', 'loop-a.ts'), "import './loop-b.ts';\nexport const a = 1;\n");
    writeFileSync(join(copy, 'src', 'plan', 'loop-b.ts'), "import './loop-a.ts';\nexport const b = 1;\n");
    const broken = await brokenRules(copy);
    for (const rule of ['base-imports-only-base', 'state-and-api-import-downward', 'stages-import-downward-only', 'job-does-not-import-tools', 'nothing-imports-the-benchmark', 'no-cycles']) {
      expect(broken, rule).toContain(rule);
    }
  });
});
