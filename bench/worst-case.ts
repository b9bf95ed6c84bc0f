/**
 * Worst-case memory benchmark: every decoder path of GenerateThumbnail (and ConvertImage) on a picture at the pixel
 * limit, each in a fresh `node` running the esbuild bundle of the core, as a cold Lambda does; peak RSS is that
 * process's VmHWM. `npx tsx bench/worst-case.ts [--only thumbnail|conversion] [--paths a,b]`.
 *
 * Inputs are made at run time (nothing huge is committed): the committed photo upscaled to the largest 4:3 size within
 * the limit, encoded the way each path needs, then padded with an ignored chunk, segment or box up to the byte limit
 * the functions read (THUMBNAIL_MAX_BYTES), so the file in memory is as large as it can be too. The pixel limit,
 * thumbnail size, byte limit and MemorySize are read from template.yaml; the budget is MemorySize minus the margin
 * (memory-budget.ts) that covers what a bench child does not hold: the Lambda runtime, the handler bundle, the SDK's
 * copy of the object.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { memoryBudgets, type MemoryBudget } from './memory-budget';
import { conversionInputs, thumbnailInputs, type WorstCaseInput } from './worst-case-inputs';

export interface WorstCaseEntry {
  /** The decoder path, e.g. `jpeg-cmyk-progressive` or `png-interlaced-rgba16`. */
  path: string;
  /** Width x height of the input, in millions. */
  megapixels: number;
  /** VmHWM of the fresh process that made one thumbnail (or rendition) of it: Node itself (~40 MB) included. */
  peakRssMb: number;
  /** MemorySize minus the margin: peakRssMb must stay below it. */
  budgetMb: number;
  /** Size of the input file (padded to the byte limit when the encoder made it smaller). */
  inputMb: number;
  /** What the core answered: `ok`, or the name of the error it threw (e.g. `ImageTooLarge`). */
  outcome: string;
  ms: number;
}

export interface WorstCaseResult {
  thumbnail: WorstCaseEntry[];
  conversion: WorstCaseEntry[];
  budgets: { thumbnail: MemoryBudget; conversion: MemoryBudget };
}

const REPO = resolve(__dirname, '..');

/**
 * Reads a JSON list of jobs ({ file, format, width, height, maxSize, maxPixels }), makes one thumbnail or rendition of
 * each in turn in this one process, and prints one JSON line: the time and outcome of each, and the peak RSS.
 */
const CHILD_PRELUDE = `
const { readFileSync } = require('node:fs');
const jobs = JSON.parse(process.argv[2]);
function peakRssKb() {
  return Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
}
async function main(make) {
  const ms = [];
  const outcomes = [];
  for (const job of jobs) {
    // Read whole, as the functions read the object from S3.
    const bytes = readFileSync(job.file);
    const started = performance.now();
    let outcome = 'ok';
    try {
      await make(bytes, job);
    } catch (error) {
      outcome = error && error.name ? error.name : String(error);
      if (outcome === 'Error' || outcome === 'RangeError' || outcome === 'TypeError') throw error;
    }
    ms.push(performance.now() - started);
    outcomes.push(outcome);
  }
  console.log(JSON.stringify({ ms, outcomes, maxRssKb: peakRssKb() }));
}
`;

const CHILDREN = {
  thumbnail: `
    const { createThumbnail } = require('./functions/lib/thumbnail/index.ts');
    main((bytes, o) => createThumbnail(
      { bytes, format: o.format, width: o.width, height: o.height },
      { maxSize: o.maxSize, maxPixels: o.maxPixels },
    ));`,
  conversion: `
    const { convertToJpeg } = require('./functions/lib/convert/index.ts');
    main((bytes, o) => convertToJpeg(bytes, o.format, { maxPixels: o.maxPixels }));`,
};

/** The path of the entry that runs every input in turn in one process, as a warm container would. */
export const WARM_PATH = 'warm: every path in turn';

function buildChild(workDir: string, kind: keyof typeof CHILDREN): string {
  const outfile = join(workDir, `${kind}-worst-case-child.cjs`);
  buildSync({
    stdin: { contents: CHILD_PRELUDE + CHILDREN[kind], resolveDir: REPO, loader: 'ts', sourcefile: `${kind}.ts` },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

interface Made {
  input: WorstCaseInput;
  file: string;
}

function measure(child: string, made: Made[], budget: MemoryBudget, path: string): WorstCaseEntry {
  const jobs = made.map(({ input, file }) => ({
    file,
    format: input.format,
    width: input.width,
    height: input.height,
    maxSize: budget.maxSize,
    maxPixels: budget.maxPixels,
  }));
  const run = spawnSync(process.execPath, [child, JSON.stringify(jobs)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`worst case ${path} failed (exit ${run.status}): ${run.stderr}`);
  const report = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as {
    ms: number[];
    outcomes: string[];
    maxRssKb: number;
  };
  const largest = Math.max(...made.map(({ input }) => input.width * input.height));
  return {
    path,
    megapixels: Number((largest / 1e6).toFixed(2)),
    peakRssMb: Math.round(report.maxRssKb / 1024),
    budgetMb: budget.budgetMb,
    inputMb: Number((Math.max(...made.map(({ file }) => statSync(file).size)) / 2 ** 20).toFixed(1)),
    outcome: [...new Set(report.outcomes)].join(', '),
    ms: Math.round(report.ms.reduce((sum, ms) => sum + ms, 0)),
  };
}

/**
 * Each input in a fresh process (a cold container), then all of them in turn in one process (a warm container, where
 * what one decode leaves behind meets the next).
 */
async function runKind(
  kind: keyof typeof CHILDREN,
  inputs: WorstCaseInput[],
  budget: MemoryBudget,
  workDir: string,
  progress: (message: string) => void,
): Promise<WorstCaseEntry[]> {
  const child = buildChild(workDir, kind);
  const entries: WorstCaseEntry[] = [];
  const made: Made[] = [];
  const report = (entry: WorstCaseEntry) => {
    progress(`${kind} ${entry.path}: ${entry.megapixels} MP, ${entry.peakRssMb} MB peak, ${entry.outcome}`);
    entries.push(entry);
  };
  try {
    for (const input of inputs) {
      const file = join(workDir, `${input.path}.${input.extension}`);
      await input.write(file, budget.maxBytes);
      made.push({ input, file });
      report(measure(child, [{ input, file }], budget, input.path));
    }
    if (made.length > 1) report(measure(child, made, budget, WARM_PATH));
  } finally {
    for (const { file } of made) rmSync(file, { force: true });
  }
  return entries;
}

export interface WorstCaseOptions {
  only?: 'thumbnail' | 'conversion';
  /** Run only these paths. */
  paths?: string[];
  progress?: (message: string) => void;
}

export async function runWorstCaseBench(options: WorstCaseOptions = {}): Promise<WorstCaseResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'worst-case-bench-'));
  const progress = options.progress ?? (() => undefined);
  const budgets = memoryBudgets();
  const pick = (inputs: WorstCaseInput[]) =>
    options.paths ? inputs.filter((input) => options.paths?.includes(input.path)) : inputs;
  try {
    const thumbnail =
      options.only === 'conversion'
        ? []
        : await runKind(
            'thumbnail',
            pick(thumbnailInputs(budgets.thumbnail.maxPixels)),
            budgets.thumbnail,
            workDir,
            progress,
          );
    const conversion =
      options.only === 'thumbnail'
        ? []
        : await runKind(
            'conversion',
            pick(conversionInputs(budgets.conversion.maxPixels)),
            budgets.conversion,
            workDir,
            progress,
          );
    return { thumbnail, conversion, budgets };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Every entry whose peak is not below its budget, as one line each. */
export function overBudget(result: Pick<WorstCaseResult, 'thumbnail' | 'conversion'>): string[] {
  return [...result.thumbnail, ...result.conversion]
    .filter((entry) => !(entry.peakRssMb < entry.budgetMb))
    .map((entry) => `${entry.path}: ${entry.peakRssMb} MB peak, budget ${entry.budgetMb} MB`);
}

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (require.main === module) {
  const only = argValue('--only') as WorstCaseOptions['only'];
  const paths = argValue('--paths')?.split(',');
  runWorstCaseBench({
    ...(only ? { only } : {}),
    ...(paths ? { paths } : {}),
    progress: (message) => process.stderr.write(`${message}\n`),
  }).then(
    (result) => {
      console.table([...result.thumbnail, ...result.conversion]);
      console.log(JSON.stringify(result, null, 2));
      const over = overBudget(result);
      if (over.length > 0) {
        console.error(`over budget:\n${over.join('\n')}`);
        process.exitCode = 1;
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
