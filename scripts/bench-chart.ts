/**
 * Draws the thumbnail comparison of a `npm run bench -- --json` report as a PNG bar chart (SVG rendered by sharp):
 * `npx tsx scripts/bench-chart.ts report.json docs/benchmarks-thumbnails.png`.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { BenchReport } from '../bench/run';

const TOOLS = [
  { key: 'oursMs', label: 'ours (JS + WASM)', color: '#2b6cb0' },
  { key: 'sharpMs', label: 'sharp', color: '#a0aec0' },
  { key: 'vipsMs', label: 'vipsthumbnail', color: '#718096' },
] as const;

export async function drawThumbnailChart(report: BenchReport, outFile: string): Promise<void> {
  const groups = [
    ['12 MP JPEG', report.thumbnail.jpeg],
    ['12 MP progressive JPEG', report.thumbnail.jpegProgressive],
    ['12 MP PNG', report.thumbnail.png],
  ] as const;
  const width = 760;
  const rowHeight = 26;
  const top = 50;
  const left = 215;
  const plotWidth = width - left - 90;
  const max = Math.max(...groups.flatMap(([, result]) => TOOLS.map((tool) => result[tool.key])));
  const bars: string[] = [];
  let y = top;
  for (const [name, result] of groups) {
    bars.push(`<text x="10" y="${y + rowHeight * 1.6}" font-size="14" font-weight="bold">${name}</text>`);
    for (const tool of TOOLS) {
      const value = result[tool.key];
      const barWidth = Math.max(1, (value / max) * plotWidth);
      bars.push(`<rect x="${left}" y="${y}" width="${barWidth}" height="${rowHeight - 6}" fill="${tool.color}"/>`);
      bars.push(`<text x="${left + barWidth + 6}" y="${y + rowHeight - 11}" font-size="12">${value} ms</text>`);
      y += rowHeight;
    }
    y += 14;
  }
  const legend = TOOLS.map(
    (tool, index) =>
      `<rect x="${left + index * 170}" y="14" width="14" height="14" fill="${tool.color}"/><text x="${left + index * 170 + 20}" y="26" font-size="13">${tool.label}</text>`,
  ).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>${legend}${bars.join('')}</svg>`;
  await sharp(Buffer.from(svg)).png().toFile(outFile);
}

if (require.main === module) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write('usage: tsx scripts/bench-chart.ts report.json out.png\n');
    process.exit(2);
  }
  drawThumbnailChart(JSON.parse(readFileSync(input, 'utf8')) as BenchReport, output).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
