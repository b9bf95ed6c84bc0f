import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { getConfigModel } from 's3rver/lib/models/config';
import S3Error from 's3rver/lib/models/error';
import { tempName } from './store-files';

/**
 * The XML configurations s3rver keeps beside buckets (cors, website: `<bucket>/config/<type>.xml`) and objects
 * (tagging: `<sha256>.<type>.xml` beside the object's record). Only the types s3rver knows name a file.
 */
interface Config {
  type: string;
  toXML(space?: number): string;
}

function modelOf(type: string) {
  const Model = /^[a-z]+$/.test(type) ? getConfigModel(type) : undefined;
  if (!Model) throw new S3Error('NotImplemented', `The local S3 keeps no "${type}" configuration`);
  return Model;
}

async function readConfig(file: string, type: string): Promise<Config | null> {
  const Model = modelOf(type);
  try {
    return new Model(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function writeConfig(file: string, tempDir: string, config: Config): Promise<void> {
  modelOf(config.type);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = tempName(tempDir);
  await writeFile(temp, config.toXML(2));
  await rename(temp, file);
}

async function removeConfig(file: string, type: string): Promise<void> {
  modelOf(type);
  await rm(file, { force: true });
}

export const bucketConfigs = {
  file: (bucketDir: string, type: string) => path.join(bucketDir, 'config', `${type}.xml`),
  get: (bucketDir: string, type: string) => readConfig(bucketConfigs.file(bucketDir, type), type),
  put: (bucketDir: string, tempDir: string, config: Config) =>
    writeConfig(bucketConfigs.file(bucketDir, config.type), tempDir, config),
  remove: (bucketDir: string, type: string) => removeConfig(bucketConfigs.file(bucketDir, type), type),
};

interface ObjectPaths {
  dir: string;
  hash: string;
}

export const objectConfigs = {
  file: ({ dir, hash }: ObjectPaths, type: string) => path.join(dir, `${hash}.${type}.xml`),
  get: (where: ObjectPaths, type: string) => readConfig(objectConfigs.file(where, type), type),
  put: (where: ObjectPaths, tempDir: string, config: Config) =>
    writeConfig(objectConfigs.file(where, config.type), tempDir, config),
  remove: (where: ObjectPaths, type: string) => removeConfig(objectConfigs.file(where, type), type),
  /** Every configuration of one object, when the object goes. */
  async removeAll(dir: string, hash: string): Promise<void> {
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files) if (file.startsWith(`${hash}.`) && file.endsWith('.xml')) await rm(path.join(dir, file));
  },
};
