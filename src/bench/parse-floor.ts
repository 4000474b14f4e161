// The floor any CSV-based tool pays: read the files and split them into records with csv-parse, nothing
// else (no validation, no staging). `node src/bench/parse-floor.ts [--delimiter ,] <file.csv>...` prints
// `{"records": N}`. The plan ratio is the dry run's time divided by this one's, both run as children.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { csvParseOptions, READ_CHUNK_BYTES } from '../ingest/read-records.ts';

export async function countCsvRecords(path: string, delimiter: string): Promise<number> {
  let records = 0;
  // The same stream setup as the job's reader (src/ingest/read-records.ts) minus its per-record work.
  const parser = parse(csvParseOptions(delimiter));
  parser.on('data', () => records++);
  await pipeline(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), parser);
  return records;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  let delimiter = ',';
  if (args[0] === '--delimiter') {
    delimiter = args[1] ?? ',';
    args.splice(0, 2);
  }
  let records = 0;
  for (const path of args) records += await countCsvRecords(path, delimiter);
  process.stdout.write(`${JSON.stringify({ records })}\n`);
}
