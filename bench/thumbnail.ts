/**
 * Thumbnail benchmark: our pure JS/WASM core vs sharp vs vipsthumbnail on a 12 MP JPEG and a 12 MP PNG made at run
 * time by upscaling a committed photo. `npx tsx bench/thumbnail.ts [--runs N] [--rounds N] [--max-size N]`.
 *
 * Ours runs as the Lambda does: bundled by esbuild into one CJS file and started in a fresh `node` (no tsx), so its
 * peak RSS is that of a cold Lambda process. sharp runs in its own child for a comparable RSS; vipsthumbnail under
 * /usr/bin/time. Times are medians of in-process runs (vipsthumbnail: whole process, start-up included).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import sharp from 'sharp';
import { ssim } from 'ssim.js';

export interface ThumbnailBenchOptions {
  /** Timed runs per tool and round; default 5. */
  runs?: number;
  /** Rounds, each a fresh process per tool, alternating tools so a burst of load elsewhere hits them alike; default 3. */
  rounds?: number;
  /** Thumbnail long side; default 250 (template.yaml's ThumbnailMaxSize). */
  maxSize?: number;
  /** Where inputs and outputs are written; default a new temporary folder. */
  workDir?: string;
}

export interface FormatBenchResult {
  /** Median milliseconds per thumbnail over every run of every round. */
  oursMs: number;
  /** Median of the first thumbnail of each fresh process (a Lambda cold start pays this, plus module loading). */
  oursFirstMs: number;
  sharpMs: number;
  /** Whole vipsthumbnail process, start-up included. */
  vipsMs: number;
  /** oursMs / sharpMs. */
  ratio: number;
  /** Highest peak RSS of a process that made `runs` of our thumbnails (Node itself, ~40 MB, included). */
  peakRssMb: number;
  sharpPeakRssMb: number;
  vipsPeakRssMb: number;
  /** Mean SSIM of our thumbnail against sharp's. */
  ssim: number;
  /** Mean SSIM of vipsthumbnail's against sharp's, for scale. */
  vipsSsim: number;
  oursBytes: number;
  sharpBytes: number;
}

export interface ThumbnailBenchResult {
  maxSize: number;
  runs: number;
  rounds: number;
  jpeg: FormatBenchResult;
  /** The same photo as a progressive JPEG: every scan must be decoded, whatever the DCT scale. */
  jpegProgressive: FormatBenchResult;
  png: FormatBenchResult;
}

const REPO = resolve(__dirname, '..');
const SOURCE_PHOTO = join(REPO, 'test/fixtures/images/iphone6_wisteria_8mp_gps.jpg');
const TWELVE_MP = { width: 4032, height: 3024 };
const JPEG_QUALITY = 80;

export interface ChildReport {
  times: number[];
  maxRssKb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

/** Both children read: input path, format, maxSize, runs, output path; and print one JSON line. */
export const CHILD_PRELUDE = `
const { readFileSync, writeFileSync } = require('node:fs');
const [input, format, maxSize, runs, output] = process.argv.slice(2);
async function main(make) {
  const bytes = readFileSync(input);
  const times = [];
  let body;
  for (let i = 0; i < Number(runs); i += 1) {
    const start = performance.now();
    body = await make(bytes, format, Number(maxSize));
    times.push(performance.now() - start);
  }
  writeFileSync(output, body);
  console.log(JSON.stringify({ times, maxRssKb: peakRssKb() }));
}
// VmHWM belongs to this process's own memory map; getrusage's maxRSS also counts the parent's RSS at fork on Linux.
function peakRssKb() {
  try {
    return Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}
`;

function buildOursChild(workDir: string): string {
  const outfile = join(workDir, 'ours-child.cjs');
  buildSync({
    stdin: {
      contents: `${CHILD_PRELUDE}
        const { createThumbnail } = require('./functions/lib/thumbnail/index.ts');
        main(async (bytes, format, maxSize) => (await createThumbnail(
          { bytes, format, width: ${TWELVE_MP.width}, height: ${TWELVE_MP.height} },
          { maxSize, maxPixels: 100_000_000, jpegQuality: ${JPEG_QUALITY} },
        )).body);`,
      resolveDir: REPO,
      loader: 'ts',
      sourcefile: 'ours-child.ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

function writeSharpChild(workDir: string): string {
  const file = join(workDir, 'sharp-child.cjs');
  writeFileSync(
    file,
    `${CHILD_PRELUDE}
    const sharp = require(${JSON.stringify(require.resolve('sharp'))});
    sharp.cache(false);
    main((bytes, format, maxSize) => {
      const resized = sharp(bytes).rotate().resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true });
      return (format === 'JPEG' ? resized.jpeg({ quality: ${JPEG_QUALITY} }) : resized.png()).toBuffer();
    });`,
  );
  return file;
}

export function runChild(script: string, args: string[]): ChildReport {
  const child = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${script} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as ChildReport;
}

function runVips(input: string, output: string, maxSize: number, runs: number): { ms: number; maxRssKb: number } {
  const suffix = output.endsWith('.jpg') ? `[Q=${JPEG_QUALITY},strip]` : '[strip]';
  const times: number[] = [];
  let maxRssKb = 0;
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    const child = spawnSync(
      '/usr/bin/time',
      ['-f', '%M', 'vipsthumbnail', input, '-s', String(maxSize), '-o', `${output}${suffix}`],
      { encoding: 'utf8' },
    );
    times.push(performance.now() - start);
    if (child.status !== 0) throw new Error(`vipsthumbnail failed: ${child.stderr}`);
    maxRssKb = Math.max(maxRssKb, Number(child.stderr.trim().split('\n').pop()));
  }
  return { ms: median(times), maxRssKb };
}

async function meanSsim(candidate: string, reference: string): Promise<number> {
  const ref = await sharp(reference).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = ref.info;
  // A one-pixel rounding difference in size must not sink the score, so the candidate is brought to the same size.
  const cand = await sharp(candidate).resize(width, height, { fit: 'fill' }).ensureAlpha().raw().toBuffer();
  const asImage = (data: Buffer) => ({
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    width,
    height,
  });
  return ssim(asImage(cand), asImage(ref.data)).mssim;
}

async function makeInputs(workDir: string): Promise<{ jpeg: string; jpegProgressive: string; png: string }> {
  const upscaled = sharp(SOURCE_PHOTO).rotate().resize(TWELVE_MP.width, TWELVE_MP.height, { fit: 'fill' });
  const inputs = {
    jpeg: join(workDir, 'input-12mp.jpg'),
    jpegProgressive: join(workDir, 'input-12mp-progressive.jpg'),
    png: join(workDir, 'input-12mp.png'),
  };
  await upscaled.clone().jpeg({ quality: 92 }).toFile(inputs.jpeg);
  await upscaled.clone().jpeg({ quality: 92, progressive: true }).toFile(inputs.jpegProgressive);
  await upscaled.clone().png().toFile(inputs.png);
  return inputs;
}

interface BenchSetup {
  workDir: string;
  ours: string;
  sharpChild: string;
  maxSize: number;
  runs: number;
  rounds: number;
}

async function benchFormat(format: 'JPEG' | 'PNG', input: string, setup: BenchSetup): Promise<FormatBenchResult> {
  const { workDir, maxSize, runs, rounds } = setup;
  const ext = format === 'JPEG' ? 'jpg' : 'png';
  const out = (tool: string) => join(workDir, `${tool}-thumbnail-of-${basename(input)}.${ext}`);
  const args = (tool: string) => [input, format, String(maxSize), String(runs), out(tool)];
  const ours: ChildReport[] = [];
  const sharpReports: ChildReport[] = [];
  const vips: Array<{ ms: number; maxRssKb: number }> = [];
  for (let round = 0; round < rounds; round += 1) {
    ours.push(runChild(setup.ours, args('ours')));
    sharpReports.push(runChild(setup.sharpChild, args('sharp')));
    vips.push(runVips(input, out('vips'), maxSize, runs));
  }
  const oursMs = median(ours.flatMap((report) => report.times));
  const sharpMs = median(sharpReports.flatMap((report) => report.times));
  const peak = (reports: Array<{ maxRssKb: number }>) =>
    round(Math.max(...reports.map((report) => report.maxRssKb)) / 1024);
  return {
    oursMs: round(oursMs),
    oursFirstMs: round(median(ours.map((report) => report.times[0] ?? 0))),
    sharpMs: round(sharpMs),
    vipsMs: round(median(vips.map((result) => result.ms))),
    ratio: round(oursMs / sharpMs, 2),
    peakRssMb: peak(ours),
    sharpPeakRssMb: peak(sharpReports),
    vipsPeakRssMb: peak(vips),
    ssim: round(await meanSsim(out('ours'), out('sharp')), 4),
    vipsSsim: round(await meanSsim(out('vips'), out('sharp')), 4),
    oursBytes: readFileSync(out('ours')).length,
    sharpBytes: readFileSync(out('sharp')).length,
  };
}

export async function runThumbnailBench(opts: ThumbnailBenchOptions = {}): Promise<ThumbnailBenchResult> {
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'thumbnail-bench-'));
  const inputs = await makeInputs(workDir);
  const setup: BenchSetup = {
    workDir,
    ours: buildOursChild(workDir),
    sharpChild: writeSharpChild(workDir),
    maxSize: opts.maxSize ?? 250,
    runs: opts.runs ?? 5,
    rounds: opts.rounds ?? 3,
  };
  return {
    maxSize: setup.maxSize,
    runs: setup.runs,
    rounds: setup.rounds,
    jpeg: await benchFormat('JPEG', inputs.jpeg, setup),
    jpegProgressive: await benchFormat('JPEG', inputs.jpegProgressive, setup),
    png: await benchFormat('PNG', inputs.png, setup),
  };
}

function argValue(name: string): number | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : undefined;
}

if (require.main === module) {
  runThumbnailBench({ runs: argValue('--runs'), rounds: argValue('--rounds'), maxSize: argValue('--max-size') }).then(
    (result) => {
      console.table({ jpeg: result.jpeg, jpegProgressive: result.jpegProgressive, png: result.png });
      console.log(JSON.stringify(result, null, 2));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
