// Every way of running the job that jobs/ ships must be a valid invocation of the CLI, with the
// operational settings the README promises (no overlap, deadlines, secrets, non-root, volumes).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/args.ts';
import { launchFlagsOf } from '../../src/cli/launch-flags.ts';
import { loadConfig } from '../../src/config/load.ts';
import { RUN_COMMAND, SCHEDULE_COMMAND } from '../../src/config/options.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const K8S = join(ROOT, 'jobs', 'k8s');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  args: string[];
  env: EnvVar[];
  resources?: { requests?: { cpu?: string; memory?: string } };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}

/** Checks argv against the CLI's own parser and config schema, as the container would run it. */
function expectValidInvocation(argv: string[], env: NodeJS.ProcessEnv): void {
  const [command, ...args] = argv;
  const definition = command === 'schedule' ? SCHEDULE_COMMAND : RUN_COMMAND;
  expect(['run', 'schedule']).toContain(command);
  const { flags } = parseFlags(args, definition.options);
  const config = loadConfig(definition, flags, env);
  expect(config.credentials, 'credentials must reach the job').toBeDefined();
}

/** Kubernetes expands $(VAR) in args from the container's env; every reference must be declared. */
function expandArgs(container: Container, samples: Record<string, string>): string[] {
  const declared = new Set(container.env.map((variable) => variable.name));
  return container.args.map((arg) =>
    arg.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (_, name: string) => {
      expect(declared.has(name), `$(${name}) is used in args but not declared in env`).toBe(true);
      return samples[name] ?? 'x';
    }),
  );
}

function containerEnv(container: Container): NodeJS.ProcessEnv {
  return Object.fromEntries(container.env.map((variable) => [variable.name, variable.value ?? `from-${variable.valueFrom?.secretKeyRef?.key ?? 'field'}`]));
}

function podSpecOf(manifest: any): any {
  return manifest.kind === 'CronJob' ? manifest.spec.jobTemplate.spec.template.spec : manifest.spec.template.spec;
}

const manifests = readdirSync(K8S)
  .filter((name) => name.endsWith('.yaml'))
  .flatMap((name) => parseAllDocuments(readFileSync(join(K8S, name), 'utf8')).map((document) => ({ name, manifest: document.toJS() as any })));

describe('Kubernetes manifests', () => {
  it('ship a CronJob, a backfill Job and a sharded Indexed Job', () => {
    expect(manifests.map(({ name, manifest }) => `${name}:${manifest.kind}`).sort()).toEqual(['backfill-job.yaml:Job', 'cronjob.yaml:CronJob', 'sharded-indexed-job.yaml:Job']);
  });

  for (const { name, manifest } of manifests) {
    it(`${name}: the container runs a valid loyalty-sync command, safely`, () => {
      const pod = podSpecOf(manifest);
      const container = pod.containers.find((candidate: Container) => candidate.name === 'loyalty-sync') as Container;
      const argv = expandArgs(container, { JOB_COMPLETION_INDEX: '2' });
      expectValidInvocation(argv, containerEnv(container));

      for (const secret of ['VIPPS_CLIENT_ID', 'VIPPS_CLIENT_SECRET', 'VIPPS_SUBSCRIPTION_KEY', 'VIPPS_MERCHANT_SERIAL_NUMBER', 'LOYALTY_SYNC_SFTP_PRIVATE_KEY']) {
        const variable = container.env.find((candidate) => candidate.name === secret);
        expect(variable?.valueFrom?.secretKeyRef, `${secret} comes from a Secret`).toBeDefined();
      }
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(container.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(20);

      // State and reports are on the persistent volume; /tmp is writable although the root is not.
      const mounts = new Map(container.volumeMounts!.map((mount) => [mount.mountPath, mount.name]));
      const volumes = new Map(pod.volumes.map((volume: any) => [volume.name, volume]));
      const env = containerEnv(container);
      const statePath = argv.includes('--state') ? argv[argv.indexOf('--state') + 1]! : env.LOYALTY_SYNC_STATE!;
      const dataMount = [...mounts.keys()].find((path) => statePath.startsWith(`${path}/`))!;
      expect(dataMount, `state ${statePath} is on a mounted volume`).toBeDefined();
      expect((volumes.get(mounts.get(dataMount)!) as any).persistentVolumeClaim).toBeDefined();
      expect((volumes.get(mounts.get('/tmp')!) as any).emptyDir).toBeDefined();
    });
  }

  it('the CronJob never overlaps, has deadlines and does not retry what retrying cannot fix', () => {
    const { manifest } = manifests.find(({ manifest: candidate }) => candidate.kind === 'CronJob')!;
    expect(manifest.spec).toMatchObject({ concurrencyPolicy: 'Forbid', startingDeadlineSeconds: expect.any(Number) });
    expect(manifest.spec.jobTemplate.spec).toMatchObject({ backoffLimit: expect.any(Number), activeDeadlineSeconds: expect.any(Number) });
    const rule = manifest.spec.jobTemplate.spec.podFailurePolicy.rules[0];
    expect(rule).toMatchObject({ action: 'FailJob', onExitCodes: { operator: 'In', values: [2, 3, 4] } });
  });

  it('the Indexed Job gives each index its own shard, state file and report folder', () => {
    const { manifest } = manifests.find(({ name }) => name === 'sharded-indexed-job.yaml')!;
    expect(manifest.spec.completionMode).toBe('Indexed');
    const container = podSpecOf(manifest).containers[0] as Container;
    const shards = Array.from({ length: manifest.spec.completions }, (_, index) => expandArgs(container, { JOB_COMPLETION_INDEX: String(index) }));
    expect(shards.map((argv) => argv[argv.indexOf('--shard') + 1])).toEqual(['0/4', '1/4', '2/4', '3/4']);
    expect(new Set(shards.map((argv) => argv[argv.indexOf('--state') + 1])).size).toBe(4);
    expect(new Set(shards.map((argv) => argv[argv.indexOf('--report-dir') + 1])).size).toBe(4);
  });
});

describe('crontab', () => {
  it('runs a valid command with the project Node and keeps the logs', () => {
    const line = readFileSync(join(ROOT, 'jobs', 'crontab'), 'utf8').split('\n').find((candidate) => /^[0-9*]/.test(candidate))!;
    expect(line).toMatch(/^0 2 \* \* \* /);
    expect(line).toContain(`node_modules/.bin/node ${launchFlagsOf().join(' ')} src/cli/main.ts`);
    expect(line).toMatch(/>> \/var\/log\/loyalty-sync\/.+ 2>&1$/);
    const argv = line.split('src/cli/main.ts ')[1]!.split(' >>')[0]!.split(' ');
    expectValidInvocation(argv, { LOYALTY_SYNC_SOURCE: '/srv/exports', VIPPS_CLIENT_ID: 'a', VIPPS_CLIENT_SECRET: 'b', VIPPS_SUBSCRIPTION_KEY: 'c', VIPPS_MERCHANT_SERIAL_NUMBER: 'd' });
  });
});

describe('launch flags', () => {
  it('the npm scripts start Node with the flags of the CLI\'s shebang', () => {
    const flags = launchFlagsOf();
    expect(flags).toEqual(['--max-semi-space-size=8', '--max-old-space-size=64', '--no-allocation-site-pretenuring']);
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    for (const name of ['demo', 'start']) expect(scripts[name]).toContain(`node ${flags.join(' ')} src/cli/main.ts`);
  });
});

describe('Dockerfile', () => {
  it('runs the CLI entry point as a non-root user under an init process', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:24-slim AS deps$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    const entrypoint = ['/usr/bin/tini', '--', 'node', ...launchFlagsOf(), '/app/dist/cli/main.js'];
    expect(dockerfile).toContain(`ENTRYPOINT ${JSON.stringify(entrypoint).replace(/","/g, '", "')}`);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });
});
