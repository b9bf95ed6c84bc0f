import path from 'node:path';
import type { RgbImage } from './image-input';

/**
 * nsfwjs's MobileNetV2 classifier (224×224, five classes), loaded from the model files nsfwjs ships inside its npm
 * package (`dist/models/mobilenet_v2/`, since nsfwjs 4.1; earlier versions fetched them from a CDN), on the tfjs
 * engine and WASM backend Human already set up: @tensorflow/tfjs (nsfwjs's peer) and Human share the one
 * @tensorflow/tfjs-core of node_modules, so both models run on one backend, in one queue.
 *
 * The model files are read with a plain require: nsfwjs's own loader passes each bundle (a 3.5 MB base64 string)
 * through TypeScript's __importStar, which defines a property per character and costs 7–12 s per load.
 */
export const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type NsfwClass = (typeof NSFW_CLASSES)[number];
export type NsfwScores = Record<NsfwClass, number>;

export interface ModerationModel {
  readonly version: string;
  /** Probabilities of the five classes (softmax: they add up to 1). */
  classify(image: RgbImage): Promise<NsfwScores>;
  dispose(): void;
}

/** The slice of tfjs this module uses. */
interface Tf {
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
  io: { fromMemory(artifacts: object): unknown };
}
interface Classifier {
  load(): Promise<void>;
  classify(image: unknown, topk: number): Promise<Array<{ className: string; probability: number }>>;
  dispose(): void;
}
interface WeightsManifest {
  paths: string[];
  weights: unknown[];
}

const MODEL = 'mobilenet_v2';
const INPUT_SIZE = 224;

/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS files located at run time (see above) */
function modelFiles(): {
  modelJson: { modelTopology: unknown; weightsManifest: WeightsManifest[] };
  dir: string;
  version: string;
} {
  // The exports map hides dist/models/ and package.json; nsfwjs/core resolves to dist/cjs/core.js beside them.
  const dist = path.join(path.dirname(require.resolve('nsfwjs/core')), '..');
  const dir = path.join(dist, 'models', MODEL);
  const loaded = require(path.join(dir, 'model.min.js')) as { default?: unknown };
  const { version } = require(path.join(dist, '..', 'package.json')) as { version: string };
  return { modelJson: (loaded.default ?? loaded) as never, dir, version };
}

export async function loadModerationModel(): Promise<ModerationModel> {
  const tf = require('@tensorflow/tfjs') as Tf;
  const { NSFWJS } = require('nsfwjs/core') as { NSFWJS: new (handler: unknown, options: object) => Classifier };
  const { modelJson, dir, version } = modelFiles();
  const shards = modelJson.weightsManifest.flatMap((group) =>
    group.paths.map((shard) => Buffer.from(require(path.join(dir, `${shard}.min.js`)) as string, 'base64')),
  );
  const weights = Buffer.concat(shards);
  const classifier = new NSFWJS(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length),
    }),
    { size: INPUT_SIZE },
  );
  await classifier.load();
  return {
    version: `local-nsfwjs-${version}-${MODEL}`,
    async classify(image) {
      const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      try {
        const ranked = await classifier.classify(input, NSFW_CLASSES.length);
        const scores = Object.fromEntries(NSFW_CLASSES.map((name) => [name, 0])) as NsfwScores;
        for (const { className, probability } of ranked) scores[className as NsfwClass] = probability;
        return scores;
      } finally {
        input.dispose();
      }
    },
    dispose: () => classifier.dispose(),
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */
