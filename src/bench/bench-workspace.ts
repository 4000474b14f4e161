// Where a benchmark's runs happen and which exports they read: one folder per run under the work folder,
// removed once measured (a state file at 1M members is large) unless --keep-work, and each export
// generated or reused on first use and recorded, so results.json says what every figure was measured on.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureExport, type BenchExport } from './bench-exports.ts';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults } from './bench-results.ts';
import { couponRangeText, type CouponRange } from './export-model.ts';
import { seconds } from './figure-format.ts';

export interface BenchWorkspace {
  log: (line: string) => void;
  /** The folder the run folders go in. */
  runs: string;
  /** Every export used so far, by member count (and coupons per member where not the default). */
  exportsUsed: BenchResults['exports'];
  exportOf(members: number, couponsPerMember?: CouponRange): Promise<BenchExport>;
  cleanUp(runDir: string): void;
}

export function openWorkspace(options: Pick<BenchOptions, 'dataDir' | 'workDir' | 'keepWork' | 'seed' | 'changeRate' | 'log'>): BenchWorkspace {
  const { log } = options;
  const runs = join(options.workDir, 'runs');
  mkdirSync(runs, { recursive: true });
  const exportsUsed: BenchResults['exports'] = {};
  return {
    log,
    runs,
    exportsUsed,
    async exportOf(members, couponsPerMember) {
      const exported = await ensureExport(options.dataDir, { members, seed: options.seed, changeRate: options.changeRate, ...(couponsPerMember && { couponsPerMember }) });
      const night1 = exported.manifest.nights['night-1'];
      const files = Object.values(night1.files);
      exportsUsed[couponsPerMember ? `${members} holding ${couponRangeText(couponsPerMember)} coupons` : String(members)] = {
        dir: exported.dir,
        rowsNight1: files.reduce((sum, file) => sum + file.rows, 0),
        bytesNight1: files.reduce((sum, file) => sum + file.bytes, 0),
        ...(exported.generated && { generatedMs: exported.generated.wallMs, generatorPeakRssMb: exported.generated.peakRssMb }),
      };
      log(exported.generated ? `generated ${exported.dir} in ${seconds(exported.generated.wallMs)} (generator peak RSS ${exported.generated.peakRssMb} MB)` : `reusing ${exported.dir}`);
      return exported;
    },
    cleanUp(runDir) {
      if (!options.keepWork) rmSync(runDir, { recursive: true, force: true });
    },
  };
}
