import { build, type Metafile } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The web app, bundled by esbuild in memory: index.html plus content-hashed script, stylesheet and source maps.
 * The local stack serves these files at /_app/ and `npm run deploy:web` uploads the same files to the web bucket,
 * so what the browser tests run is what is deployed. config.json is not part of the build: it is per stack.
 */
export const WEB_ROOT = path.resolve(__dirname, '..');
const PROJECT_ROOT = path.resolve(WEB_ROOT, '..');
const OUT_DIR = path.join(PROJECT_ROOT, 'dist/web');

export interface WebFile {
  /** Relative to the app's root: "index.html", "main-XXXX.js". */
  path: string;
  contents: Uint8Array;
  contentType: string;
  cacheControl: string;
}

/** index.html and config.json change in place; everything else has its content hash in its name. */
export const CACHE_REVALIDATE = 'no-cache';
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
}

export class WebBuildFailed extends Error {
  override readonly name = 'WebBuildFailed';
}

export async function buildWebApp(): Promise<WebFile[]> {
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: { main: path.join(WEB_ROOT, 'src/main.tsx') },
    tsconfig: path.join(WEB_ROOT, 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    minify: true,
    sourcemap: 'linked',
    define: { 'process.env.NODE_ENV': '"production"' },
    entryNames: '[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    outdir: OUT_DIR,
    write: false,
    metafile: true,
    logLevel: 'silent',
  }).catch((error: unknown) => {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors;
    const where = errors?.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    throw new WebBuildFailed(`The web app does not build: ${where?.join('; ') ?? String(error)}`);
  });
  const assets: WebFile[] = result.outputFiles.map((file) => {
    const name = path.relative(OUT_DIR, file.path).split(path.sep).join('/');
    return { path: name, contents: file.contents, contentType: contentTypeOf(name), cacheControl: CACHE_IMMUTABLE };
  });
  const html = await indexHtml(result.metafile);
  return [
    {
      path: 'index.html',
      contents: Buffer.from(html),
      contentType: contentTypeOf('index.html'),
      cacheControl: CACHE_REVALIDATE,
    },
    ...assets,
  ];
}

/** web/index.html with its ./main.js and ./main.css pointing at the hashed files of this build. */
async function indexHtml(metafile: Metafile): Promise<string> {
  const template = await readFile(path.join(WEB_ROOT, 'index.html'), 'utf8');
  const entry = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint !== undefined);
  if (!entry) throw new WebBuildFailed('The web app build has no entry point output');
  const [script, output] = entry;
  const relative = (file: string) =>
    `./${path.relative(OUT_DIR, path.resolve(PROJECT_ROOT, file)).split(path.sep).join('/')}`;
  let html = template.replace('./main.js', relative(script));
  if (output.cssBundle) html = html.replace('./main.css', relative(output.cssBundle));
  else html = html.replace(/\s*<link rel="stylesheet" href="\.\/main\.css" \/>/, '');
  return html;
}
