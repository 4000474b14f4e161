// Generated exports for the benchmark, cached under the data folder and keyed by every parameter that
// changes their bytes (members, seed, change rate, coupons per member, generator version). A folder is
// reused only when its manifest.json, written last by the generator, says it is complete and matches.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { couponRangeText, type ModelParams } from './export-model.ts';
import { GENERATOR_VERSION, type ExportManifest } from './generate-export.ts';
import { runMeasured } from './measured-child.ts';

const GENERATE_SCRIPT = fileURLToPath(new URL('./generate-command.ts', import.meta.url));

export interface BenchExport {
  members: number;
  dir: string;
  night1: string;
  night2: string;
  manifest: ExportManifest;
  /** Undefined when reused from an earlier benchmark. */
  generated?: { wallMs: number; peakRssMb?: number };
}

/** What an export is generated from; `couponsPerMember` absent: the generator's default. */
export type ExportParams = Pick<ModelParams, 'members' | 'seed' | 'changeRate' | 'couponsPerMember'>;

export async function ensureExport(dataDir: string, params: ExportParams): Promise<BenchExport> {
  const { couponsPerMember: coupons } = params;
  const shape = coupons ? `-c${couponRangeText(coupons)}` : '';
  const dir = join(dataDir, `m${params.members}-s${params.seed}-r${params.changeRate}${shape}-g${GENERATOR_VERSION}`);
  const paths = { dir, night1: join(dir, 'night-1'), night2: join(dir, 'night-2') };
  const cached = readManifest(dir);
  if (cached && cached.generator.version === GENERATOR_VERSION && sameParams(cached.params, params)) {
    return { members: params.members, ...paths, manifest: cached };
  }
  // Generated in a child: the benchmark's own process stays small, and the generator's peak RSS is on
  // record (it streams, so it should not grow with the member count).
  rmSync(dir, { recursive: true, force: true });
  const child = await runMeasured(GENERATE_SCRIPT, [
    '--members', String(params.members), '--seed', String(params.seed), '--change-rate', String(params.changeRate),
    ...(coupons ? ['--coupons', couponRangeText(coupons)] : []),
    '--out', dir,
  ]);
  const manifest = readManifest(dir);
  if (child.exitCode !== 0 || !manifest) throw new Error(`generating ${dir} failed (exit ${child.exitCode}): ${child.stderrTail}`);
  return { members: params.members, ...paths, manifest, generated: { wallMs: child.wallMs, ...(child.peakRssMb !== undefined && { peakRssMb: child.peakRssMb }) } };
}

/** The night-1 CSV files of an export (what the parse floor and the dry run both read). */
export function night1Files(exported: BenchExport): string[] {
  return Object.values(exported.manifest.nights['night-1'].files).map((file) => join(exported.night1, file.name));
}

function readManifest(dir: string): ExportManifest | undefined {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ExportManifest;
  } catch {
    return undefined;
  }
}

function sameParams(a: ExportParams, b: ExportParams): boolean {
  const coupons = (params: ExportParams) => (params.couponsPerMember ? couponRangeText(params.couponsPerMember) : 'default');
  return a.members === b.members && a.seed === b.seed && a.changeRate === b.changeRate && coupons(a) === coupons(b);
}
