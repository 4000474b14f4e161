// An export's manifest, `<key>.manifest.json` (`manifest.json` for files without a key), written by the
// merchant after the data files:
//
//   {
//     "asOf": "2026-11-24T03:00:00+01:00",                     optional: the export's point in time
//     "files": [
//       { "name": "members-2026-11-24.csv", "size": 48213, "sha256": "9f86d0…" },   sha256 optional
//       { "name": "coupons-2026-11-24.csv", "size": 10233 }
//     ]
//   }
//
// The export is complete when every listed file is in incoming/ with the listed size; exactly the listed
// files are read, each checked against its size and (when given) sha256 after the download. Other
// fields are ignored.
import { z } from 'zod';
import { roleOfName } from './names.ts';
import type { FileKinds } from '../file-kinds.ts';

/** Larger than any sane manifest; a bigger file is not read. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

const manifestSchema = z.object({
  asOf: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time with an offset, e.g. 2026-11-24T03:00:00+01:00' }).optional(),
  files: z
    .array(
      z.object({
        name: z.string().min(1),
        size: z.number().int().min(0),
        sha256: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
          .transform((hex) => hex.toLowerCase())
          .optional(),
      }),
    )
    .min(1, 'expected at least one file'),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** The manifest of export `key`, or what is wrong with it. */
export function parseManifest(text: string, key: string, kinds?: FileKinds): Manifest | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `not valid JSON: ${(error as Error).message}` };
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { problem: `${issue.path.join('.') || '(manifest)'}: ${issue.message}` };
  }
  const seen = new Set<string>();
  for (const file of parsed.data.files) {
    if (seen.has(file.name)) return { problem: `lists ${file.name} twice` };
    seen.add(file.name);
    const role = roleOfName(file.name, kinds);
    if (role.role !== 'data' || role.key !== key) {
      return { problem: `lists ${file.name}, which is not a CSV file of export "${key}" (expected <kind>-${key || ''}….csv names)` };
    }
  }
  return parsed.data;
}
