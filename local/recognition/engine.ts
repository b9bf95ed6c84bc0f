import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config, FaceResult, Human, ObjectResult, Result } from '@vladmandic/human';
import { internalError } from './errors';
import type { RgbImage } from './image-input';
import { loadModerationModel, type ModerationModel, type NsfwScores } from './moderation-model';
import { SerialQueue } from './serial-queue';

/** Normalized to the upright image: 0..1 from its left and top edges. */
export interface NormalizedBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface DetectedObject {
  /** Human's COCO class name, e.g. 'cat', 'sports ball'. */
  label: string;
  /** CenterNet's score, 0..1. */
  score: number;
  box: NormalizedBox;
}

export interface DetectedFace {
  score: number;
  box: NormalizedBox;
  /** The 468 MediaPipe face-mesh points, normalized like `box`. */
  mesh: ReadonlyArray<readonly [number, number]>;
  /** Radians. */
  angle?: { roll: number; yaw: number; pitch: number };
  age?: number;
  gender?: 'male' | 'female';
  /** 0 = coin toss, 1 = certain (Human's 2·|p − 0.5|). */
  genderScore?: number;
  emotions?: ReadonlyArray<{ emotion: string; score: number }>;
}

export interface FaceAnalysis {
  ageGender: boolean;
  emotions: boolean;
}

export interface Detector {
  readonly modelVersion: string;
  detectObjects(image: RgbImage): Promise<DetectedObject[]>;
  detectFaces(image: RgbImage, analysis: FaceAnalysis): Promise<DetectedFace[]>;
  /** nsfwjs's class probabilities; its model loads on the first call, on the same backend. */
  moderate(image: RgbImage): Promise<{ scores: NsfwScores; modelVersion: string }>;
}

export interface RecognitionEngine {
  /** Runs `job` with the loaded models once no other job in this process is running; loads them on first use. */
  run<T>(job: (detector: Detector) => Promise<T>): Promise<T>;
  /** Leaves the shared runtime; the last engine to close frees the models and the WASM backend. */
  close(): Promise<void>;
}

/** The slice of Human's bundled tfjs this module uses (Human types it as `any`). */
interface Tf {
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): TensorLike;
  pad(x: TensorLike, paddings: Array<[number, number]>, constantValue: number): TensorLike;
  dispose(tensors: TensorLike | TensorLike[]): void;
  engine(): { reset(): void };
  io: {
    registerLoadRouter(router: (url: string | string[]) => { load(): Promise<unknown> } | null): void;
    getModelArtifactsForJSON(
      modelJSON: unknown,
      loadWeights: (manifest: WeightGroup[]) => Promise<[unknown[], ArrayBuffer]>,
    ): Promise<unknown>;
  };
}
type TensorLike = object;
interface WeightGroup {
  paths: string[];
  weights: unknown[];
}

/**
 * Every engine in the process shares one Human instance and one queue: tfjs keeps a single global backend, and Human
 * keeps its models in module state, so two instances would only fight over them.
 */
const runtime = {
  queue: new SerialQueue(),
  users: 0,
  loaded: undefined as Promise<LoadedDetector> | undefined,
};

interface LoadedDetector extends Detector {
  unload(): void;
}

export function openHumanEngine(): RecognitionEngine {
  runtime.users += 1;
  let closed = false;
  return {
    run(job) {
      if (closed) return Promise.reject(internalError('The local recognition engine is closed'));
      return runtime.queue.run(async () => job(await loadOnce()));
    },
    async close() {
      if (closed) return;
      closed = true;
      runtime.users -= 1;
      await runtime.queue.run(async () => {
        if (runtime.users > 0 || !runtime.loaded) return;
        const loading = runtime.loaded;
        runtime.loaded = undefined;
        (await loading.catch(() => undefined))?.unload();
      });
    },
  };
}

function loadOnce(): Promise<LoadedDetector> {
  if (!runtime.loaded) {
    runtime.loaded = loadHuman().catch((error: unknown) => {
      runtime.loaded = undefined;
      throw internalError(
        `Local recognition models failed to load: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
  return runtime.loaded;
}

const FILE_SCHEME = 'file://';

/** The package's exports map only resolves its tfjs-node build; the WASM build is a sibling file. */
function humanPaths(): { build: string; models: string; wasm: string } {
  const dist = path.dirname(require.resolve('@vladmandic/human'));
  return {
    build: path.join(dist, 'human.node-wasm.js'),
    models: path.join(dist, '..', 'models'),
    wasm: path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep,
  };
}

function humanConfig(paths: { models: string; wasm: string }): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath: paths.wasm,
    modelBasePath: FILE_SCHEME + paths.models + path.sep,
    debug: false,
    warmup: 'none',
    cacheModels: false,
    // Human otherwise answers a new photo with the previous result when the two look alike.
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    gesture: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    segmentation: { enabled: false },
    object: { enabled: true, maxDetected: 100, minConfidence: 0.2 },
    face: {
      enabled: true,
      // Rekognition's DetectFaces reports the 100 largest faces; Human's default of 1 would hide a group.
      detector: { maxDetected: 100, rotation: true },
      mesh: { enabled: true },
      iris: { enabled: false },
      attention: { enabled: false },
      // Rekognition reports every emotion and always a gender; Human drops those under its thresholds unless zero.
      emotion: { enabled: true, minConfidence: 0 },
      description: { enabled: true, minConfidence: 0 },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
  };
}

let fileLoaderRegistered = false;

/** tfjs without tfjs-node can only fetch models over HTTP; this serves `file://` model URLs from disk. */
function registerFileLoader(tf: Tf): void {
  if (fileLoaderRegistered) return;
  fileLoaderRegistered = true;
  tf.io.registerLoadRouter((url) => {
    if (typeof url !== 'string' || !url.startsWith(FILE_SCHEME)) return null;
    const modelFile = url.slice(FILE_SCHEME.length);
    return {
      async load() {
        const modelJSON: unknown = JSON.parse(await readFile(modelFile, 'utf8'));
        return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
          const parts = await Promise.all(
            manifest.flatMap((group) => group.paths.map((p) => readFile(path.join(path.dirname(modelFile), p)))),
          );
          const weights = Buffer.concat(parts);
          const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length) as ArrayBuffer;
          return [manifest.flatMap((group) => group.weights), data];
        });
      },
    };
  });
}

/**
 * The emscripten glue of tfjs-backend-wasm adds process handlers that rethrow, which would overrule the host's own
 * handlers (the local stack's, mocha's); they go as soon as the backend is up.
 */
async function withoutEmscriptenProcessHandlers<T>(load: () => Promise<T>): Promise<T> {
  const uncaught = new Set(process.listeners('uncaughtException'));
  const rejection = new Set(process.listeners('unhandledRejection'));
  try {
    return await load();
  } finally {
    for (const listener of process.listeners('uncaughtException')) {
      if (!uncaught.has(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of process.listeners('unhandledRejection')) {
      if (!rejection.has(listener)) process.removeListener('unhandledRejection', listener);
    }
  }
}

async function loadHuman(): Promise<LoadedDetector> {
  const paths = humanPaths();
  const human = await withoutEmscriptenProcessHandlers(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file path, not a specifier the exports map allows
    const { Human: HumanClass } = require(paths.build) as { Human: new (config: Partial<Config>) => Human };
    const instance = new HumanClass(humanConfig(paths));
    registerFileLoader(instance.tf as Tf);
    await instance.load();
    return instance;
  });
  const tf = human.tf as Tf;
  // Human logs a model that failed to load and carries on; a half-loaded engine would answer with empty results.
  const failed = human.models.stats().modelStats.filter((model) => !model.loaded);
  if (failed.length > 0) throw new Error(`models not loaded: ${failed.map((model) => model.name).join(', ')}`);
  return humanDetector(human, tf);
}

function humanDetector(human: Human, tf: Tf): LoadedDetector {
  let moderation: Promise<ModerationModel> | undefined;
  async function detect(input: TensorLike, config: Partial<Config>): Promise<Result> {
    const result = await human.detect(input as Parameters<Human['detect']>[0], config);
    if (result.error) throw internalError(`Local recognition failed: ${result.error}`);
    return result;
  }

  return {
    modelVersion: `local-human-${human.version}`,

    async detectObjects(image) {
      const side = Math.max(image.width, image.height);
      const rgb = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      // CenterNet squashes its input to a square; letterboxing keeps shapes true (Chelsea is a dog when squashed).
      const square = tf.pad(
        rgb,
        [
          [0, side - image.height],
          [0, side - image.width],
          [0, 0],
        ],
        114,
      );
      try {
        const result = await detect(square, { object: { enabled: true }, face: { enabled: false } });
        return result.object.map((object) => toDetectedObject(object, side / image.width, side / image.height));
      } finally {
        tf.dispose([rgb, square]);
      }
    },

    async detectFaces(image, analysis) {
      const rgb = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      try {
        const result = await detect(rgb, {
          object: { enabled: false },
          face: {
            enabled: true,
            emotion: { enabled: analysis.emotions },
            description: { enabled: analysis.ageGender },
          },
        });
        return result.face.map(toDetectedFace);
      } finally {
        tf.dispose(rgb);
      }
    },

    async moderate(image) {
      moderation ??= loadModerationModel().catch((error: unknown) => {
        moderation = undefined;
        throw internalError(`The local moderation model failed to load: ${String(error)}`);
      });
      const model = await moderation;
      return { scores: await model.classify(image), modelVersion: model.version };
    },

    unload() {
      // tf.engine().reset() below frees the moderation model's weights with every other tensor.
      moderation = undefined;
      for (const model of Object.values(human.models.models)) model?.dispose();
      human.models.reset();
      // Disposes the WASM backend and its heap; the next load registers a fresh one.
      tf.engine().reset();
      // Human keeps its models and backend state in module scope: this makes the next instance start from scratch
      // instead of reusing the models just disposed.
      human.reset();
    },
  };
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

function clampBox(left: number, top: number, width: number, height: number): NormalizedBox {
  const l = clamp01(left);
  const t = clamp01(top);
  return { left: l, top: t, width: clamp01(left + width) - l, height: clamp01(top + height) - t };
}

function toDetectedObject(object: ObjectResult, scaleX: number, scaleY: number): DetectedObject {
  const [x, y, w, h] = object.boxRaw;
  return { label: object.label, score: object.score, box: clampBox(x * scaleX, y * scaleY, w * scaleX, h * scaleY) };
}

function toDetectedFace(face: FaceResult): DetectedFace {
  const [x, y, w, h] = face.boxRaw;
  const detected: DetectedFace = {
    score: face.score,
    box: clampBox(x, y, w, h),
    mesh: face.meshRaw.map(([px, py]) => [px, py] as const),
  };
  if (face.rotation) detected.angle = face.rotation.angle;
  if (face.age !== undefined && face.age > 0) detected.age = face.age;
  if (face.gender === 'male' || face.gender === 'female') {
    detected.gender = face.gender;
    detected.genderScore = face.genderScore ?? 0;
  }
  if (face.emotion) detected.emotions = face.emotion.map(({ emotion, score }) => ({ emotion, score }));
  return detected;
}
