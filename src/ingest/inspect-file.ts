// One cheap streaming pass over a file before it is parsed: size and sha256 for the report and the
// ledger, and the dialect (encoding, BOM, delimiter) the parser needs before it reads the first byte.
//
// Encoding, per file: a UTF-16 BOM (Excel's "Unicode text") → UTF-16; a UTF-8 BOM or any valid UTF-8
// multi-byte sequence → UTF-8, where bytes that are not valid UTF-8 reject their row (read-records.ts);
// bytes above 0x7F and not one valid multi-byte sequence → Windows-1252. A compressed or binary file
// (gzip, zip/xlsx, xls, pdf, or any NUL byte outside UTF-16) is not a CSV text file.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import iconv from 'iconv-lite';
import type { Delimiter, Encoding, FileInspection } from '../base/export-shapes.ts';
import type { IngestConfig } from '../config/schema.ts';
import { CsvError } from '../errors.ts';
import { utf8Census } from './utf8-bytes.ts';

/** What the configuration says of the dialect (`auto`: find out from the file). */
export type DialectOverrides = Pick<IngestConfig['dialect'], 'encoding' | 'delimiter'>;

const HEAD_BYTES = 64 * 1024;

/** What a file that is not text starts with, and what to call it. */
const BINARY_SIGNATURES: readonly { bytes: number[]; what: string }[] = [
  { bytes: [0x1f, 0x8b], what: 'gzip-compressed data' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive (or an Excel .xlsx workbook)' },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: 'an empty zip archive' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'an Excel .xls workbook' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document' },
  { bytes: [0x42, 0x5a, 0x68], what: 'bzip2-compressed data' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed data' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed data' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-zip archive' },
];

const startsWith = (head: Buffer, bytes: readonly number[]) => head.length >= bytes.length && bytes.every((byte, i) => head[i] === byte);

export async function inspectFile(path: string, fileName: string, overrides: DialectOverrides): Promise<FileInspection> {
  const hash = createHash('sha256');
  let bytes = 0;
  let head: Buffer | undefined;
  let utf16: Encoding | undefined;
  const utf8 = overrides.encoding === 'windows-1252' ? undefined : utf8Census();
  const notText = (what: string) => new CsvError('CSV_NOT_TEXT', { file: fileName, line: 1 }, `not a CSV text file: ${what}; export the data as CSV (text)`);
  for await (const chunk of readable(path, fileName)) {
    if (!head) {
      head = Buffer.from(chunk.subarray(0, HEAD_BYTES));
      utf16 = startsWith(head, [0xff, 0xfe]) ? 'utf-16le' : startsWith(head, [0xfe, 0xff]) ? 'utf-16be' : undefined;
      const binary = BINARY_SIGNATURES.find((signature) => startsWith(head!, signature.bytes));
      if (binary && !utf16) throw notText(`it holds ${binary.what}`);
    }
    if (!utf16) {
      // Text exports never hold NUL; UTF-16 without a BOM, or binary data, do.
      const nul = chunk.indexOf(0);
      if (nul !== -1) throw notText(`byte ${bytes + nul} is NUL (binary data, or UTF-16 without a byte order mark)`);
      utf8?.add(chunk);
    }
    hash.update(chunk);
    bytes += chunk.length;
  }
  utf8?.finish();
  head ??= Buffer.alloc(0);
  const bom = utf16 !== undefined || startsWith(head, [0xef, 0xbb, 0xbf]);
  const encoding: Encoding =
    utf16 ?? (overrides.encoding !== 'auto' ? overrides.encoding : bom || !utf8!.census.invalid || utf8!.census.multiByte ? 'utf-8' : 'windows-1252');
  const delimiter = overrides.delimiter !== 'auto' ? overrides.delimiter : sniffDelimiter(firstLine(head, encoding));
  return { bytes, sha256: hash.digest('hex'), encoding, bom, delimiter, invalidUtf8: encoding === 'utf-8' && utf8!.census.invalid };
}

const ICONV_NAMES: Record<Encoding, string> = { 'utf-8': 'utf8', 'windows-1252': 'win1252', 'utf-16le': 'utf16le', 'utf-16be': 'utf16be' };

/** The iconv-lite name of an encoding. */
export const iconvName = (encoding: Encoding) => ICONV_NAMES[encoding];

function firstLine(head: Buffer, encoding: Encoding): string {
  const text = iconv.decode(head, iconvName(encoding));
  const end = text.search(/\r|\n/);
  return end === -1 ? text : text.slice(0, end);
}

/** The candidate that occurs most often in the header line outside quotes; `,` when none does. */
export function sniffDelimiter(headerLine: string): Delimiter {
  const counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === ',' || char === ';' || char === '\t')) counts[char]++;
  }
  const best = (Object.keys(counts) as Delimiter[]).reduce((a, b) => (counts[b] > counts[a] ? b : a));
  return counts[best] > 0 ? best : ',';
}

const READ_BYTES = 256 * 1024;

/**
 * The file's chunks, each read into the same buffer: a chunk is valid until the next is asked for.
 * A stream would allocate a chunk per read outside the V8 heap, and a pass that allocates little else
 * collects them late: hundreds of MB read that way left tens of MB of the process's malloc heap
 * resident. A file that cannot be read is the export's problem, named by its file.
 */
async function* readable(path: string, fileName: string): AsyncGenerator<Buffer> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } catch (error) {
    if (error instanceof CsvError || !(error as NodeJS.ErrnoException).code) throw error;
    throw new CsvError('CSV_UNREADABLE', { file: fileName, line: 1 }, `cannot be read: ${(error as Error).message}`, { cause: error });
  } finally {
    await file?.close();
  }
}
