/**
 * Metadata step benchmark: bytes and requests the ExtractImageMetadata core reads from a 12 MP JPEG (made at run time
 * by upscaling a committed photo with its EXIF kept) and how long parsing takes, reading from memory so that only the
 * parser is timed.
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { readImageMetadata } from '../functions/lib/metadata';

export interface MetadataBenchResult {
  bytesRead: number;
  requests: number;
  parseMs: number;
  sizeBytes: number;
}

const SOURCE_PHOTO = join(resolve(__dirname, '..'), 'test/fixtures/images/iphone6_wisteria_8mp_gps.jpg');

export async function runMetadataBench(runs = 20): Promise<MetadataBenchResult> {
  const photo = new Uint8Array(
    await sharp(readFileSync(SOURCE_PHOTO)).resize(4032, 3024).withMetadata().jpeg({ quality: 92 }).toBuffer(),
  );
  const read = async (start: number, end: number) => photo.slice(start, Math.min(end, photo.length));
  const times: number[] = [];
  let last = await readImageMetadata(read, photo.length);
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    last = await readImageMetadata(read, photo.length);
    times.push(performance.now() - started);
  }
  return {
    bytesRead: last.bytesRead,
    requests: last.requests,
    parseMs: round(median(times), 2),
    sizeBytes: photo.length,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}
