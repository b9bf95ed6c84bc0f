import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { PROJECT_ROOT } from '../../local/template';

/** Every committed generated file opens with the command that regenerates it, and that generator is in scripts/. */
describe('generated files', () => {
  const ROOTS = ['functions', 'local', 'web', 'bench', 'scripts', 'test'];
  const SKIPPED = new Set(['node_modules', 'fixtures', 'dist']);

  function sourceFiles(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : sourceFiles(full);
      return /\.(ts|js|mjs|cjs|css|html)$/.test(entry.name) ? [full] : [];
    });
  }

  function firstLine(file: string): string {
    const buffer = Buffer.alloc(400);
    const fd = openSync(file, 'r');
    try {
      return (
        buffer
          .subarray(0, readSync(fd, buffer, 0, buffer.length, 0))
          .toString('utf8')
          .split('\n')[0] ?? ''
      );
    } finally {
      closeSync(fd);
    }
  }

  const generated = ROOTS.flatMap((root) => sourceFiles(path.join(PROJECT_ROOT, root)))
    .map((file) => ({ file: path.relative(PROJECT_ROOT, file), line: firstLine(file) }))
    .filter(({ line }) => /\bGENERATED\b/.test(line));

  it('finds the generated files (the inlined libjpeg-turbo WASM at least)', () => {
    expect(generated.map(({ file }) => file)).to.include('functions/lib/thumbnail/jpeg-turbo-wasm.ts');
  });

  it('each names a generator under scripts/ that exists', () => {
    for (const { file, line } of generated) {
      const generator = /\bscripts\/[\w./-]+\.(?:ts|js|mjs|sh)\b/.exec(line)?.[0];
      expect(generator, `${file} does not name its generator in its first line`).to.be.a('string');
      expect(existsSync(path.join(PROJECT_ROOT, generator ?? '')), `${file}: ${generator}`).to.equal(true);
    }
  });
});
