// No Docker engine here, so the image is reproduced from the Dockerfile's own lines, stage by stage, each
// stage in a folder of its own: its COPY lines (from the build context or from an earlier stage) and the
// RUN steps that build the application (`npm ci …`, `node …`; the build stage's full install is the project's
// own node_modules); system steps (apt-get, chown, cleaning the
// npm cache) are left out. Then the runtime stage's ENTRYPOINT runs the CLI: a runtime import of a dev
// dependency, or a file the image does not copy, fails this test.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/temp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKDIR = '/app';

interface Stage {
  name: string;
  dir: string;
  instructions: { keyword: string; args: string }[];
}

function stagesOf(dockerfile: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of dockerfile.replace(/\\\n\s*/g, ' ').split('\n')) {
    const match = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, keyword, args] = match as unknown as [string, string, string];
    if (keyword === 'FROM') stages.push({ name: / AS (\S+)$/.exec(args)?.[1] ?? `stage-${stages.length}`, dir: tempDir('loyalty-sync-image-'), instructions: [] });
    else stages.at(-1)!.instructions.push({ keyword, args });
  }
  return stages;
}

/** A path inside a stage's file system → the folder standing in for it. */
const inStage = (stage: Stage, path: string) => join(stage.dir, path.startsWith(`${WORKDIR}/`) ? path.slice(WORKDIR.length + 1) : path);

function build(stage: Stage, stages: Stage[]): void {
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') expect(args).toBe(WORKDIR);
    if (keyword === 'COPY') {
      const words = args.split(/\s+/);
      const fromName = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
      const from = fromName === undefined ? undefined : stages.find((candidate) => candidate.name === fromName)!;
      const destination = words.pop()!;
      for (const source of words) {
        const target = destination.endsWith('/') ? join(inStage(stage, destination), source.split('/').pop()!) : inStage(stage, destination);
        cpSync(from ? inStage(from, source) : join(ROOT, source), target, { recursive: true });
      }
    }
    if (keyword === 'RUN') {
      for (const command of args.split('&&').map((part) => part.trim())) {
        const [program, ...rest] = command.split(/\s+/);
        // A full `npm ci` (dev dependencies included, for tsc) installs what the project's own install did from
        // the same lockfile: that folder stands in for it. A production install is what this test checks, so it
        // runs, offline first (the same packages, from the npm cache the project's own install filled).
        if (program === 'npm' && rest[0] === 'ci' && !rest.includes('--omit=dev')) symlinkSync(join(ROOT, 'node_modules'), join(stage.dir, 'node_modules'), 'dir');
        else if (program === 'npm' && rest[0] === 'ci') execFileSync('npm', [...rest, '--prefer-offline'], { cwd: stage.dir, stdio: 'pipe' });
        if (program === 'node') execFileSync(process.execPath, rest, { cwd: stage.dir, stdio: 'pipe' });
      }
    }
  }
}

describe('the Docker image, built from its Dockerfile without Docker', () => {
  it('runs the compiled CLI with production dependencies only', { timeout: 900_000 }, () => {
    const stages = stagesOf(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    for (const stage of stages) build(stage, stages);
    const runtime = stages.at(-1)!;

    const installed = JSON.parse(execFileSync('npm', ['ls', '--omit=dev', '--json', '--depth=0'], { cwd: runtime.dir, encoding: 'utf8' })).dependencies as Record<string, unknown>;
    expect(Object.keys(installed)).not.toContain('vitest');
    expect(Object.keys(installed)).not.toContain('typescript');

    const entrypoint = JSON.parse(runtime.instructions.find((instruction) => instruction.keyword === 'ENTRYPOINT')!.args) as string[];
    const [, ...nodeArgs] = entrypoint.slice(entrypoint.indexOf('node'));
    const script = nodeArgs.pop()!;
    expect(script).toBe('/app/dist/cli/main.js');
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [...nodeArgs, inStage(runtime, script), ...args], { cwd: runtime.dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
    const version = cli('--version');
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);

    const dryRun = cli('run', '--dry-run', '--source', join(ROOT, 'samples/night-1'), '--state', join(runtime.dir, 'data/state.sqlite'), '--report-dir', join(runtime.dir, 'data/reports'), '--log-level', 'warn');
    expect(dryRun.status, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('dry-run · 60 members');
    for (const command of ['run', 'sandbox', 'schedule', 'validate', 'status', 'explain']) expect(cli(command, '--help').status, command).toBe(0);
  });
});
