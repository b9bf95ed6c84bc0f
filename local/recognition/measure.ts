/**
 * Measures the local Rekognition on a 12 MP JPEG, the size of a phone photo, made by upscaling a test photo.
 *   npx tsx local/recognition/measure.ts [photo] [--runs 10]
 * Prints cold (model load included) and warm latencies, the time spent decoding, and the process RSS.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { decodeForInference } from './image-input';
import { createRekognitionService, type JsonResponse } from './index';

const TWELVE_MP = { width: 4000, height: 3000 };

function parseArgs(argv: string[]): { photo: string; runs: number } {
  let photo = path.join(__dirname, '..', '..', 'test', 'fixtures', 'images', 'canon-ixus-2001_wedding-couple.jpg');
  let runs = 10;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--runs') runs = Number(argv[(i += 1)]);
    else photo = arg;
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  return { photo, runs };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return `median ${at(0.5).toFixed(0)} ms, min ${(sorted[0] ?? NaN).toFixed(0)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(0)} ms (n=${ms.length})`;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function expectOk(response: JsonResponse): JsonResponse {
  if (response.status !== 200) throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
  return response;
}

async function main(): Promise<void> {
  const { photo, runs } = parseArgs(process.argv.slice(2));
  const twelveMp = await sharp(await readFile(photo))
    .rotate()
    .resize({ ...TWELVE_MP, fit: 'fill', kernel: 'lanczos3' })
    .jpeg({ quality: 90 })
    .toBuffer();
  const objects = new Map([['12mp.jpg', twelveMp]]);
  const service = createRekognitionService({
    async readS3Object(_bucket, key) {
      const bytes = objects.get(key);
      if (!bytes) throw new Error(`NoSuchKey: ${key}`);
      return bytes;
    },
  });
  const labels = () =>
    service.handle('RekognitionService.DetectLabels', { Image: { S3Object: { Bucket: 'photos', Name: '12mp.jpg' } } });
  const moderation = () =>
    service.handle('RekognitionService.DetectModerationLabels', {
      Image: { S3Object: { Bucket: 'photos', Name: '12mp.jpg' } },
    });
  const faces = (attributes: string[]) =>
    service.handle('RekognitionService.DetectFaces', {
      Image: { S3Object: { Bucket: 'photos', Name: '12mp.jpg' } },
      Attributes: attributes,
    });

  console.log(
    `photo: ${path.basename(photo)} upscaled to ${TWELVE_MP.width}x${TWELVE_MP.height} JPEG, ${mb(twelveMp.length)}`,
  );
  console.log(`node ${process.version}, rss at start ${mb(process.memoryUsage().rss)}`);

  const [cold, coldMs] = await timed(labels);
  const names = ((expectOk(cold).body as { Labels: Array<{ Name: string; Confidence: number }> }).Labels ?? [])
    .map((label) => `${label.Name} ${label.Confidence.toFixed(0)}`)
    .join(', ');
  console.log(`DetectLabels cold (model load included): ${coldMs.toFixed(0)} ms -> ${names}`);

  const decodeMs: number[] = [];
  const labelsMs: number[] = [];
  const defaultFacesMs: number[] = [];
  const allFacesMs: number[] = [];
  const moderationMs: number[] = [];
  let faceCount = 0;
  const [, moderationColdMs] = await timed(async () => expectOk(await moderation()));
  console.log(`DetectModerationLabels cold (its model's load included): ${moderationColdMs.toFixed(0)} ms`);
  for (let run = 0; run < runs; run += 1) {
    decodeMs.push((await timed(() => decodeForInference(twelveMp)))[1]);
    labelsMs.push((await timed(async () => expectOk(await labels())))[1]);
    defaultFacesMs.push((await timed(async () => expectOk(await faces(['DEFAULT']))))[1]);
    const [all, ms] = await timed(async () => expectOk(await faces(['ALL'])));
    allFacesMs.push(ms);
    moderationMs.push((await timed(async () => expectOk(await moderation())))[1]);
    faceCount = (all.body as { FaceDetails: unknown[] }).FaceDetails.length;
  }
  console.log(`decode + EXIF rotate + downscale to 1024 px:   ${summary(decodeMs)}`);
  console.log(`DetectLabels warm:                            ${summary(labelsMs)}`);
  console.log(`DetectFaces warm, DEFAULT (${faceCount} faces):        ${summary(defaultFacesMs)}`);
  console.log(`DetectFaces warm, ALL (${faceCount} faces):            ${summary(allFacesMs)}`);
  console.log(`DetectModerationLabels warm:                  ${summary(moderationMs)}`);
  console.log(`rss after ${runs} runs: ${mb(process.memoryUsage().rss)}`);
  await service.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
