// Reading an HTTP answer's body to a cap. What a server answers is not under our control: a 5 MB problem
// detail, an endless stream or a proxy's error page must not fill a 64 MB heap, and nothing we do with an
// answer (a status check, a one-line description) needs more than its beginning.

/** Answers are read up to this many bytes; the rest is discarded unread. */
export const MAX_ANSWER_BYTES = 64 * 1024;

export interface CappedText {
  text: string;
  /** True when the body was longer than the cap and `text` is its beginning only. */
  truncated: boolean;
}

/** A response body as undici hands it: a readable stream that can be destroyed. */
export interface ReadableBody extends AsyncIterable<Uint8Array | string> {
  destroy(error?: Error): unknown;
}

export async function readCappedText(body: ReadableBody, maxBytes = MAX_ANSWER_BYTES): Promise<CappedText> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (size + bytes.length > maxBytes) {
      chunks.push(bytes.subarray(0, maxBytes - size));
      // Stop reading: the connection is closed rather than drained (the rest may be endless).
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(bytes);
    size += bytes.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}
