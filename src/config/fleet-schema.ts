// The fleet file of `loyalty-sync fleet` (README "Partner mode"): the fleet's own settings, `defaults` for
// every merchant and the merchants, each with every `run` option. The run options are checked per
// merchant by the run's own schema (load-fleet.ts); here only what makes the fleet one: folders, limits,
// merchant ids and serial numbers, each unique. Defaults live here and in the run schema, nowhere else.
import { z } from 'zod';
import { DEFAULT_REPORT_DIR, logLevel, partOfN } from './schema.ts';
import { int, path } from './option-values.ts';

/** A merchant id names its folders and its env variables: a DNS-label-like slug. */
const MERCHANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The fleet's own reports go to `<reportDir>/fleet/`, beside the merchants' `<reportDir>/<id>/`. */
export const FLEET_REPORT_FOLDER = 'fleet';

const merchantId = z
  .string()
  .regex(MERCHANT_ID, 'expected a slug (a-z, 0-9 and "-", 1 to 63 characters, starting and ending with a letter or digit): it names folders and env variables')
  .refine((id) => id !== FLEET_REPORT_FOLDER, `"${FLEET_REPORT_FOLDER}" is the fleet report's folder; choose another id`);

/** A merchant entry: its id and serial number, and any `run` option (checked by the run schema, per merchant). */
const merchantEntry = z.looseObject({
  id: merchantId,
  merchantSerialNumber: z.string().regex(/^\d{1,20}$/, 'expected the merchant serial number (digits)'),
});

export const fleetSchema = z
  .strictObject({
    /** Each merchant's state file is `<stateDir>/<id>/loyalty-sync.sqlite`, unless it names its own `state`. */
    stateDir: path.default('state'),
    /** Each merchant's reports go to `<reportDir>/<id>/`, the fleet's to `<reportDir>/fleet/`. */
    reportDir: path.default(DEFAULT_REPORT_DIR),
    /** Merchants synced at once. */
    merchantConcurrency: int(1, 256).default(4),
    /** Requests in flight at once across every merchant (each merchant's own concurrency works inside it). */
    maxRequestsInFlight: int(1, 4096).default(64),
    /** `i/K`: only the merchants whose id hashes to i (README "Partner mode"). */
    partition: partOfN.optional(),
    /** The log level of the fleet (a merchant's own `logLevel` applies to its lines). */
    logLevel: logLevel.default('info'),
    /** Run options for every merchant (partner keys: `credentials`); a merchant's own beat them. */
    defaults: z.record(z.string(), z.unknown()).default({}),
    merchants: z.array(merchantEntry).min(1, 'expected at least one merchant'),
  })
  .superRefine((fleet, context) => {
    // An id is a folder and a serial number a club: two merchants sharing one would overwrite each other's
    // state, or delete each other's members.
    for (const key of ['id', 'merchantSerialNumber'] as const) {
      const first = new Map<string, number>();
      fleet.merchants.forEach((merchant, index) => {
        const seen = first.get(merchant[key]);
        if (seen === undefined) first.set(merchant[key], index);
        else context.addIssue({ code: 'custom', path: ['merchants', index, key], message: `"${merchant[key]}" is also merchants[${seen}]'s ${key}; each merchant needs its own` });
      });
    }
  });

export type FleetFile = z.infer<typeof fleetSchema>;
