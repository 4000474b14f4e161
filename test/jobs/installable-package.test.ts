// The published package: `npm pack` compiles the sources to dist/ (the `prepare` script), and the tarball
// installs into an empty project and runs from there. With the machine's own Node first on PATH (not the
// project's Node 24), `npx loyalty-sync --help` prints the help and nothing else: the package brings its
// own Node 24 (its `node` dependency, which npx puts first on PATH) and no engine warning is printed.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { launchFlagsOf } from '../../src/cli/launch-flags.ts';
import { tempDir } from '../fixtures/temp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLES = join(ROOT, 'samples');

/** PATH as a user's shell has it: without this project's node_modules/.bin (which npm scripts put first). */
const MACHINE_PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((entry) => !entry.includes('node_modules'))
  .join(delimiter);

describe('the npm package', () => {
  it('packs compiled JavaScript, installs into another project, and runs there from npx', { timeout: 900_000 }, () => {
    const packed = tempDir('loyalty-sync-pack-');
    const tarballName = execFileSync('npm', ['pack', '--pack-destination', packed, '--silent'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1)!;
    const tarball = join(packed, tarballName);
    const contents = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(contents).toContain('package/dist/cli/main.js');
    expect(contents).toContain('package/samples/night-1/members.csv');
    expect(contents.filter((path) => path.startsWith('package/src/') || path.startsWith('package/test/') || path.startsWith('package/dist/bench/'))).toEqual([]);
    expect(contents.filter((path) => path.endsWith('.ts'))).toEqual([]);

    const project = tempDir('loyalty-sync-consumer-');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'merchant-jobs', version: '1.0.0', private: true }));
    const env = { ...process.env, PATH: MACHINE_PATH };
    // Optional dependencies (ssh2's native speed-ups, compiled with node-gyp) are not what is tested here.
    execFileSync('npm', ['install', tarball, '--prefer-offline', '--omit=optional', '--no-audit', '--no-fund'], { cwd: project, env, stdio: 'pipe' });

    const npx = (...args: string[]) => spawnSync('npx', ['loyalty-sync', ...args], { cwd: project, env, encoding: 'utf8' });
    const help = npx('--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: loyalty-sync <command>/);
    expect(help.stderr).toBe('');

    // The installed bin starts Node with the same V8 flags as the sources' CLI.
    const bin = join(project, 'node_modules', 'loyalty-sync', JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['loyalty-sync']);
    expect(launchFlagsOf(bin)).toEqual(launchFlagsOf());

    const validate = npx('validate', join(SAMPLES, 'night-1', 'members.csv'), join(SAMPLES, 'night-1', 'coupons.csv'));
    expect(validate.status, validate.stdout + validate.stderr).toBe(0);

    // Two ingest and two plan threads: the compiled worker entries (dist/ingest/ingest-worker.js,
    // dist/run/plan-worker.js) load and do their share.
    const dryRun = npx('run', '--dry-run', '--ingest-threads', '2', '--plan-threads', '2', '--source', join(SAMPLES, 'night-1'), '--state', join(project, 'state.sqlite'), '--report-dir', join(project, 'reports'), '--log-level', 'warn');
    expect(dryRun.status, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('dry-run · 60 members');
    expect(contents).toContain('package/dist/ingest/ingest-worker.js');
    expect(contents).toContain('package/dist/run/plan-worker.js');
  });
});
