import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';

const FUNCTIONS = path.join(__dirname, '..', '..', '..', 'functions');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return Promise.resolve(entry.name.endsWith('.ts') ? [full] : []);
    }),
  );
  return nested.flat();
}

describe('local recognition stays out of the Lambda code', () => {
  it('no file under functions/ imports local/ or the local-only model packages', async () => {
    const forbidden =
      /from\s+['"][^'"]*(\/local\/|@vladmandic\/human|@tensorflow\/)|require\(\s*['"][^'"]*(\/local\/|@vladmandic\/human|@tensorflow\/)/;
    const offenders: string[] = [];
    for (const file of await sourceFiles(FUNCTIONS)) {
      if (forbidden.test(await readFile(file, 'utf8'))) offenders.push(path.relative(FUNCTIONS, file));
    }
    expect(offenders).to.deep.equal([]);
  });
});
