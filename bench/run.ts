/**
 * `npm run bench [-- --json] [-- --quick]`: every benchmark of the project in one run on the same machine, so each
 * ratio compares numbers measured side by side. `--json` prints one object (the contract in docs/benchmarks.md);
 * `--quick` makes fewer runs (what CI uses so the benchmark cannot rot).
 */
import { cpus, totalmem } from 'node:os';
import { runBundleBench, type BundleBenchResult } from './bundles';
import { runConvertBench, type ConvertBenchResult } from './convert';
import { runE2eBench, type E2eBenchResult } from './e2e';
import { runMetadataBench, type MetadataBenchResult } from './metadata';
import { runThumbnailBench, type FormatBenchResult } from './thumbnail';
import { overBudget, runWorstCaseBench, type WorstCaseEntry } from './worst-case';

export interface BenchReport {
  thumbnail: {
    jpeg: FormatBenchResult;
    png: FormatBenchResult;
    jpegProgressive: FormatBenchResult;
    maxSize: number;
    /** Peak RSS of every decoder path at the pixel limit, each in a fresh process, then all in one (bench/worst-case.ts). */
    worstCase: WorstCaseEntry[];
  };
  metadata: MetadataBenchResult;
  e2e: E2eBenchResult;
  bundles: BundleBenchResult[];
  /** 12 MP HEIC, WebP and AVIF to a JPEG rendition: ConvertImage's core against vips; worstCase as for thumbnails. */
  conversion: ConvertBenchResult & { worstCase: WorstCaseEntry[] };
  machine: { cpu: string; cores: number; memoryGb: number; node: string };
  quick: boolean;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const quick = process.argv.includes('--quick');
  const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

  progress('thumbnails (ours vs sharp vs vipsthumbnail)');
  const thumbnail = await runThumbnailBench(quick ? { runs: 2, rounds: 1 } : { runs: 5, rounds: 3 });
  progress('conversions (ours vs vips copy)');
  const conversion = await runConvertBench(quick ? { runs: 1, rounds: 1 } : { runs: 3, rounds: 2 });
  progress('worst cases: every decoder path at the pixel limit (peak RSS against MemorySize less the margin)');
  const worstCase = await runWorstCaseBench({ progress: (message) => progress(`  ${message}`) });
  progress('metadata step reads');
  const metadata = await runMetadataBench(quick ? 5 : 20);
  progress('Lambda bundles');
  const bundles = await runBundleBench(quick ? 1 : 3);
  progress('end to end on the local stack');
  const e2e = await runE2eBench({ photos: quick ? 6 : 24 });

  const report: BenchReport = {
    thumbnail: {
      jpeg: thumbnail.jpeg,
      png: thumbnail.png,
      jpegProgressive: thumbnail.jpegProgressive,
      maxSize: thumbnail.maxSize,
      worstCase: worstCase.thumbnail,
    },
    metadata,
    e2e,
    bundles,
    conversion: { ...conversion, worstCase: worstCase.conversion },
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    quick,
  };
  // The memory check is the one verdict of the benchmark: a peak is not timing noise.
  const over = overBudget(worstCase);
  if (over.length > 0) {
    progress(`over the memory budget:\n${over.join('\n')}`);
    process.exitCode = 1;
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const pick = ({ oursMs, sharpMs, vipsMs, ratio, peakRssMb, ssim }: FormatBenchResult) => ({
    oursMs,
    sharpMs,
    vipsMs,
    ratio,
    peakRssMb,
    ssim,
  });
  console.log('Thumbnail of a 12 MP photo (ratio = ours / sharp)');
  console.table({
    jpeg: pick(report.thumbnail.jpeg),
    jpegProgressive: pick(report.thumbnail.jpegProgressive),
    png: pick(report.thumbnail.png),
  });
  console.log('12 MP photo to a JPEG rendition (ratio = ours / vips copy)');
  console.table({ heic: conversion.heic, webp: conversion.webp, avif: conversion.avif });
  const worst =
    (fn: string) =>
    ({ path, megapixels, peakRssMb, budgetMb, outcome }: WorstCaseEntry) => ({
      function: fn,
      path,
      megapixels,
      peakRssMb,
      budgetMb,
      outcome,
    });
  console.log('Every decoder path at the pixel limit (peak RSS; budget = MemorySize less a quarter)');
  console.table([
    ...worstCase.thumbnail.map(worst('GenerateThumbnail')),
    ...worstCase.conversion.map(worst('ConvertImage')),
  ]);
  console.log('Metadata step on a 12 MP JPEG');
  console.table([metadata]);
  console.log('Upload to SUCCEEDED on the local stack');
  console.table([e2e]);
  console.log('Lambda bundles');
  console.table(bundles);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
