// One cheap streaming pass over a file before it is parsed: size and sha256 for the report and the
// ledger, and the dialect (encoding, BOM, delimiter) the parser needs before it reads the first byte.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';

export type Encoding = 'utf-8' | 'windows-1252';
export type Delimiter = ',' | ';' | '\t';

export interface FileInspection {
  bytes: number;
  sha256: string;
  encoding: Encoding;
  bom: boolean;
  delimiter: Delimiter;
}

export interface DialectOverrides {
  encoding: Encoding | 'auto';
  delimiter: Delimiter | 'auto';
}

const HEAD_BYTES = 64 * 1024;

export async function inspectFile(path: string, overrides: DialectOverrides): Promise<FileInspection> {
  const hash = createHash('sha256');
  let bytes = 0;
  let validUtf8 = true;
  // Bytes of a multi-byte character cut by a chunk boundary, carried into the next chunk.
  let carry = Buffer.alloc(0);
  let head = Buffer.alloc(0);
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
    if (validUtf8 && overrides.encoding === 'auto') {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const cut = completeUtf8Length(data);
      validUtf8 = isUtf8(data.subarray(0, cut));
      carry = Buffer.from(data.subarray(cut));
    }
  }
  if (carry.length > 0) validUtf8 = false;
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const encoding: Encoding = overrides.encoding !== 'auto' ? overrides.encoding : bom || validUtf8 ? 'utf-8' : 'windows-1252';
  const delimiter = overrides.delimiter !== 'auto' ? overrides.delimiter : sniffDelimiter(firstLine(head, encoding));
  return { bytes, sha256: hash.digest('hex'), encoding, bom, delimiter };
}

/** Length of the prefix of `data` that does not end inside a multi-byte UTF-8 sequence. */
function completeUtf8Length(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? data.length - back : data.length;
  }
  return data.length;
}

function firstLine(head: Buffer, encoding: Encoding): string {
  const text = encoding === 'utf-8' ? head.toString('utf8') : head.toString('latin1');
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
