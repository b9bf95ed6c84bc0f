import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { HashedStore } from './hashed-store';
import { storedMetadata } from './store-files';
import { bucketConfigs, objectConfigs } from './store-configs';
import { checkKey, isBucketName, readJsonIfAny, tempName, writeContent, writeJsonAtomic } from './store-files';

/**
 * Which layout a data folder's S3 objects are in. `layout.json` marks the hashed layout (hashed-store.ts). A folder
 * without it that holds anything is s3rver's old layout (a file per key, named by the key): it is moved aside to
 * `<s3>.old-layout/` in one rename, every object (its bytes, metadata, tagging) and bucket configuration is imported
 * into the new layout, and the old folder is deleted. An interrupted migration resumes at the next start. If it
 * cannot finish, the stack refuses to start and says that `npm run reset` clears the data folder.
 */
export const LAYOUT = { layout: 'hashed-keys', version: 1 };
const OLD_SUFFIX = '._S3rver_object';

export class OldS3Layout extends Error {
  override readonly name = 'OldS3Layout';
}

export async function openStore(root: string, log: (line: string) => void): Promise<HashedStore> {
  const store = new HashedStore(root);
  const markerFile = path.join(root, 'layout.json');
  const marker = await readJsonIfAny<typeof LAYOUT>(markerFile);
  if (marker && (marker.layout !== LAYOUT.layout || marker.version !== LAYOUT.version))
    throw new OldS3Layout(
      `${root} holds S3 data in an unknown layout (${JSON.stringify(marker)}); npm run reset clears it`,
    );
  const old = `${root}.old-layout`;
  if (!marker && (await isNonEmptyDir(root)) && !(await exists(old))) await rename(root, old);
  await mkdir(root, { recursive: true });
  await store.load();
  if (await exists(old)) {
    try {
      const moved = await migrate(old, store, log);
      log(`moved ${moved} objects from s3rver's old layout (a file per key) to hashed names`);
    } catch (error) {
      throw new OldS3Layout(
        `The S3 data in ${old} is in s3rver's old layout and could not be moved to the new one (${(error as Error).message}); ` +
          'npm run reset clears the data folder',
      );
    }
    await rm(old, { recursive: true, force: true });
  }
  if (!marker) await writeJsonAtomic(markerFile, store.tempDir, LAYOUT);
  return store;
}

async function migrate(old: string, store: HashedStore, log: (line: string) => void): Promise<number> {
  let moved = 0;
  for (const entry of await readdir(old, { withFileTypes: true })) {
    if (!entry.isDirectory() || !isBucketName(entry.name)) continue;
    const bucket = entry.name;
    const from = path.join(old, bucket);
    await store.putBucket(bucket);
    for (const type of ['cors', 'website'])
      await copyIfAny(path.join(from, `._S3rver_${type}.xml`), bucketConfigs.file(store.bucketDir(bucket), type));
    for await (const file of objectFiles(from)) {
      const base = file.slice(0, -OLD_SUFFIX.length);
      let key: string;
      try {
        key = checkKey(path.relative(from, base).split(path.sep).join('/'));
      } catch (error) {
        log(`not moved: ${file} (${(error as Error).message})`);
        continue;
      }
      const metadata = (await readJsonIfAny<Record<string, unknown>>(`${base}._S3rver_metadata.json`)) ?? {};
      const temp = tempName(store.tempDir);
      const measured = await writeContent(createReadStream(file), temp);
      await store.commit(bucket, key, temp, { ...measured, metadata: storedMetadata(metadata) });
      await copyIfAny(`${base}._S3rver_tagging.xml`, objectConfigs.file(store.paths(bucket, key), 'tagging'));
      await rm(file);
      moved += 1;
    }
  }
  return moved;
}

/** The old layout's object files under a bucket folder; pending uploads and symbolic links are left out. */
async function* objectFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '._S3rver_uploads') yield* objectFiles(file);
    else if (entry.isFile() && entry.name.endsWith(OLD_SUFFIX)) yield file;
  }
}

async function copyIfAny(from: string, to: string): Promise<void> {
  if (!(await exists(from))) return;
  await mkdir(path.dirname(to), { recursive: true });
  await copyFile(from, to);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function isNonEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir).catch(() => [])).length > 0;
}
