/**
 * Reads NDJSON files in batches that end on line boundaries, remembering for
 * each batch how many lines and bytes came before it in its file.
 */
import { createReadStream } from 'node:fs';

export interface Batch {
  body: Buffer;
  lineBase: number;
  offsetBase: number;
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Yields batches of about `batchBytes` from a file path, or stdin for `-`. */
export async function* readBatches(path: string, batchBytes: number): AsyncGenerator<Batch> {
  const stream = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineBase = 0;
  let offsetBase = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < batchBytes) continue;
    const all = Buffer.concat(pending, pendingBytes);
    const cut = all.lastIndexOf(0x0a);
    if (cut === -1) {
      pending = [all];
      continue;
    }
    const body = all.subarray(0, cut + 1);
    yield { body, lineBase, offsetBase };
    lineBase += countNewlines(body);
    offsetBase += body.length;
    const rest = all.subarray(cut + 1);
    pending = rest.length ? [rest] : [];
    pendingBytes = rest.length;
  }
  if (pendingBytes > 0) yield { body: Buffer.concat(pending, pendingBytes), lineBase, offsetBase };
}
