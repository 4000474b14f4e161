// No Docker engine here, so reproduce the image's install step by step from the Dockerfile: production
// dependencies only, then the copied sources. A runtime import of a dev dependency fails this test.
import { execSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/temp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('production install (as the Docker image does it)', () => {
  it('runs the CLI with production dependencies only', { timeout: 180_000 }, () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const [depsStage, runtimeStage] = dockerfile.split(/^FROM node:24-slim$/m);
    const app = tempDir('loyalty-sync-image-');

    // Stage 1: COPY the manifests, RUN the exact npm ci command (offline-first: same packages, from cache).
    for (const [, sources] of depsStage!.matchAll(/^COPY (?!--from)(.+) \.\/$/gm)) for (const source of sources!.split(' ')) cpSync(join(ROOT, source), join(app, source));
    const install = /^RUN (npm ci [^&\n]+)/m.exec(depsStage!)![1]!.trim();
    expect(install).toContain('--omit=dev');
    execSync(`${install} --prefer-offline`, { cwd: app, stdio: 'pipe' });

    // Stage 2: the runtime stage's own COPY lines.
    const copies = [...runtimeStage!.matchAll(/^COPY (?!--from)(\S+) (\S+)$/gm)].map(([, from, to]): [string, string] => [from!, to!]);
    expect(copies.map(([from]) => from)).toEqual(['package.json', 'src']);
    for (const [from, to] of copies) cpSync(join(ROOT, from), to.endsWith('/') ? join(app, to, from) : join(app, to), { recursive: true });

    const installed = JSON.parse(execSync('npm ls --omit=dev --json --depth=0', { cwd: app, encoding: 'utf8' })).dependencies as Record<string, unknown>;
    expect(Object.keys(installed)).not.toContain('vitest');
    expect(Object.keys(installed)).not.toContain('node');

    const cli = (...args: string[]) => spawnSync(process.execPath, [join(app, 'src/cli/main.ts'), ...args], { cwd: app, encoding: 'utf8', env: { PATH: process.env.PATH } });
    const version = cli('--version');
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);

    const dryRun = cli('run', '--dry-run', '--source', join(ROOT, 'samples/night-1'), '--state', join(app, 'data/state.sqlite'), '--report-dir', join(app, 'data/reports'), '--log-level', 'warn');
    expect(dryRun.status, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('dry-run · 60 members');
    for (const command of ['sandbox', 'schedule', 'validate', 'status', 'demo']) expect(cli(command, '--help').status).toBe(0);
  });
});
