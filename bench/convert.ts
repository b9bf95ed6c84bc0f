/**
 * Conversion benchmark: ConvertImage's core (WebAssembly decoders, our JPEG encoder) against Debian's vips doing the
 * same job, a full-size decode and a JPEG encode (`vips copy in out.jpg[Q=90]`), on 12 MP HEIC, WebP and AVIF files
 * made at run time from a committed photo with Debian's heif-enc and cwebp. `npx tsx bench/convert.ts [--runs N]`.
 *
 * Ours runs as the Lambda does: bundled by esbuild into one CJS file and started in a fresh `node`, so its peak RSS
 * (VmHWM) is that of a cold Lambda process; vips runs under /usr/bin/time, start-up included.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import sharp from 'sharp';
import { median, round } from './metadata';
import { CHILD_PRELUDE, runChild, type ChildReport } from './thumbnail';

export interface ConversionBenchResult {
  /** Median milliseconds per conversion over every run of every round. */
  oursMs: number;
  /** Median of the first conversion of each fresh process (decoder compiled and instantiated on first use). */
  oursFirstMs: number;
  /** Whole vips process, start-up included. */
  vipsMs: number;
  /** oursMs / vipsMs. */
  ratio: number;
  /** Highest peak RSS of a process that made `runs` conversions (Node itself, ~40 MB, included). */
  peakRssMb: number;
  vipsPeakRssMb: number;
  inputBytes: number;
  oursBytes: number;
  vipsBytes: number;
}

export interface ConvertBenchResult {
  width: number;
  height: number;
  runs: number;
  rounds: number;
  heic: ConversionBenchResult;
  webp: ConversionBenchResult;
  avif: ConversionBenchResult;
}

const REPO = resolve(__dirname, '..');
const SOURCE_PHOTO = join(REPO, 'test/fixtures/images/iphone6_wisteria_8mp_gps.jpg');
const TWELVE_MP = { width: 4032, height: 3024 };
const JPEG_QUALITY = 90; // RENDITION_QUALITIES[0]
/** Debian's vips must find its own modules: sharp, loaded in this process, points VIPSHOME at its bundled libvips. */
const TOOL_ENV = { PATH: process.env.PATH ?? '' };

function tool(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: 'ignore', env: TOOL_ENV });
}

async function makeInputs(workDir: string): Promise<Record<'heic' | 'webp' | 'avif', string>> {
  const jpeg = join(workDir, 'source-12mp.jpg');
  await sharp(SOURCE_PHOTO)
    .rotate()
    .resize(TWELVE_MP.width, TWELVE_MP.height, { fit: 'fill' })
    .jpeg({ quality: 92 })
    .toFile(jpeg);
  const inputs = {
    heic: join(workDir, 'input-12mp.heic'),
    webp: join(workDir, 'input-12mp.webp'),
    avif: join(workDir, 'input-12mp.avif'),
  };
  // Fast encoder presets: the files decode the same way, and the bench does not spend a minute making them.
  tool('heif-enc', ['-q', '50', '-p', 'preset=ultrafast', '-o', inputs.heic, jpeg]);
  tool('cwebp', ['-quiet', '-q', '80', '-metadata', 'all', jpeg, '-o', inputs.webp]);
  tool('heif-enc', ['-A', '-q', '50', '-p', 'speed=9', '-o', inputs.avif, jpeg]);
  return inputs;
}

function buildOursChild(workDir: string): string {
  const outfile = join(workDir, 'convert-child.cjs');
  buildSync({
    stdin: {
      contents: `${CHILD_PRELUDE}
        const { convertToJpeg } = require('./functions/lib/convert/index.ts');
        main(async (bytes, format) => (await convertToJpeg(bytes, format, { maxPixels: 40_000_000 })).body);`,
      resolveDir: REPO,
      loader: 'ts',
      sourcefile: 'convert-child.ts',
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

function runVips(input: string, output: string, runs: number): { ms: number; maxRssKb: number } {
  const times: number[] = [];
  let maxRssKb = 0;
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    const child = spawnSync(
      '/usr/bin/time',
      ['-f', '%M', 'vips', 'copy', input, `${output}[Q=${JPEG_QUALITY},strip]`],
      {
        encoding: 'utf8',
        env: TOOL_ENV,
      },
    );
    times.push(performance.now() - start);
    if (child.status !== 0) throw new Error(`vips copy ${input} failed: ${child.stderr}`);
    maxRssKb = Math.max(maxRssKb, Number(child.stderr.trim().split('\n').pop()));
  }
  return { ms: median(times), maxRssKb };
}

function benchFormat(
  format: 'HEIC' | 'WEBP' | 'AVIF',
  input: string,
  ours: string,
  workDir: string,
  runs: number,
  rounds: number,
): ConversionBenchResult {
  const out = (who: string) => join(workDir, `${who}-${format.toLowerCase()}.jpg`);
  const reports: ChildReport[] = [];
  const vips: Array<{ ms: number; maxRssKb: number }> = [];
  for (let round = 0; round < rounds; round += 1) {
    reports.push(runChild(ours, [input, format, '0', String(runs), out('ours')]));
    vips.push(runVips(input, out('vips'), runs));
  }
  const oursMs = median(reports.flatMap((report) => report.times));
  const vipsMs = median(vips.map((result) => result.ms));
  const peak = (results: Array<{ maxRssKb: number }>) => round(Math.max(...results.map((r) => r.maxRssKb)) / 1024);
  return {
    oursMs: round(oursMs),
    oursFirstMs: round(median(reports.map((report) => report.times[0] ?? 0))),
    vipsMs: round(vipsMs),
    ratio: round(oursMs / vipsMs, 2),
    peakRssMb: peak(reports),
    vipsPeakRssMb: peak(vips),
    inputBytes: readFileSync(input).length,
    oursBytes: readFileSync(out('ours')).length,
    vipsBytes: readFileSync(out('vips')).length,
  };
}

export async function runConvertBench(opts: { runs?: number; rounds?: number } = {}): Promise<ConvertBenchResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'convert-bench-'));
  const inputs = await makeInputs(workDir);
  const ours = buildOursChild(workDir);
  const runs = opts.runs ?? 3;
  const rounds = opts.rounds ?? 2;
  return {
    ...TWELVE_MP,
    runs,
    rounds,
    heic: benchFormat('HEIC', inputs.heic, ours, workDir, runs, rounds),
    webp: benchFormat('WEBP', inputs.webp, ours, workDir, runs, rounds),
    avif: benchFormat('AVIF', inputs.avif, ours, workDir, runs, rounds),
  };
}

if (require.main === module) {
  const runsAt = process.argv.indexOf('--runs');
  runConvertBench(runsAt >= 0 ? { runs: Number(process.argv[runsAt + 1]) } : {}).then(
    (result) => {
      console.table({ heic: result.heic, webp: result.webp, avif: result.avif });
      console.log(JSON.stringify(result, null, 2));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
