// The fleet's Kubernetes manifests come from one template (jobs/k8s/fleet/generate.sh K): K CronJobs, each
// running `fleet --partition i/K` with its own volume. Each container's args are fed to the CLI's own
// parser and fleet loader, and together the K partitions sync every merchant of a fleet exactly once.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/args.ts';
import { loadFleetConfig } from '../../src/config/load-fleet.ts';
import { FLEET_MERCHANT_OPTIONS, FLEET_OPTIONS } from '../../src/config/options.ts';
import { tempDir } from '../fixtures/temp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GENERATE = join(ROOT, 'jobs', 'k8s', 'fleet', 'generate.sh');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

function generated(count: number): any[] {
  const text = execFileSync('bash', [GENERATE, String(count)], { encoding: 'utf8' });
  return parseAllDocuments(text).map((document) => document.toJS());
}

/** A fleet file of `n` merchants (folders need not exist: loading does not read them). */
function fleetFile(n: number): string {
  const path = join(tempDir('loyalty-sync-fleet-k8s-'), 'fleet.json');
  const merchants = Array.from({ length: n }, (_, index) => ({ id: `merchant-${index}`, merchantSerialNumber: String(200000 + index), source: `/data/drop/merchant-${index}` }));
  writeFileSync(path, JSON.stringify({ merchants }));
  return path;
}

describe('fleet partition manifests', () => {
  it('generates, for each of K partitions, a CronJob and its own volume', () => {
    const documents = generated(3);
    expect(documents.map((document) => `${document.kind}:${document.metadata.name}`)).toEqual([
      'PersistentVolumeClaim:loyalty-sync-fleet-data-0',
      'CronJob:loyalty-sync-fleet-0',
      'PersistentVolumeClaim:loyalty-sync-fleet-data-1',
      'CronJob:loyalty-sync-fleet-1',
      'PersistentVolumeClaim:loyalty-sync-fleet-data-2',
      'CronJob:loyalty-sync-fleet-2',
    ]);
  });

  it('gives each CronJob a valid fleet invocation of its own partition, safely, on its own volume; together they cover every merchant once', () => {
    const count = 3;
    const config = fleetFile(40);
    const cronJobs = generated(count).filter((document) => document.kind === 'CronJob');
    const seen: string[] = [];
    cronJobs.forEach((cronJob, index) => {
      expect(cronJob.spec).toMatchObject({ concurrencyPolicy: 'Forbid', startingDeadlineSeconds: expect.any(Number) });
      expect(cronJob.spec.jobTemplate.spec.podFailurePolicy.rules[0]).toMatchObject({ action: 'FailJob', onExitCodes: { operator: 'In', values: [2, 3, 4] } });
      const pod = cronJob.spec.jobTemplate.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(pod.restartPolicy).toBe('Never');
      const container = pod.containers.find((candidate: { name: string }) => candidate.name === 'loyalty-sync');
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      for (const secret of ['VIPPS_CLIENT_ID', 'VIPPS_CLIENT_SECRET', 'VIPPS_SUBSCRIPTION_KEY', 'LOYALTY_SYNC_SFTP_PRIVATE_KEY']) {
        expect((container.env as EnvVar[]).find((variable) => variable.name === secret)?.valueFrom?.secretKeyRef, secret).toBeDefined();
      }
      const claim = pod.volumes.find((volume: { name: string }) => volume.name === 'data').persistentVolumeClaim.claimName;
      expect(claim).toBe(`loyalty-sync-fleet-data-${index}`);
      expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });

      const [command, ...args] = container.args as string[];
      expect(command).toBe('fleet');
      const { flags } = parseFlags(args, [...FLEET_OPTIONS, ...FLEET_MERCHANT_OPTIONS]);
      expect(flags.config).toBe('/config/fleet.json');
      const env = Object.fromEntries((container.env as EnvVar[]).map((variable) => [variable.name, variable.value ?? `from-${variable.valueFrom?.secretKeyRef?.key}`]));
      const fleet = loadFleetConfig({ ...flags, config }, env);
      expect(fleet.partition).toEqual({ index, count });
      expect(fleet.stateDir.startsWith('/data/')).toBe(true);
      expect(fleet.reportDir.startsWith('/data/')).toBe(true);
      for (const merchant of fleet.merchants) {
        expect(merchant.error, merchant.id).toBeUndefined();
        expect(merchant.config!.credentials, 'partner keys reach every merchant').toMatchObject({ clientSecret: 'from-client-secret', merchantSerialNumber: merchant.merchantSerialNumber });
        expect(merchant.config!.deadlineMinutes).toBe(220);
      }
      seen.push(...fleet.merchants.map((merchant) => merchant.id));
    });
    expect(seen.sort()).toEqual(Array.from({ length: 40 }, (_, index) => `merchant-${index}`).sort());
    expect(new Set(seen).size).toBe(40);
  });
});
