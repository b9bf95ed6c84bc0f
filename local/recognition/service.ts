import { randomUUID } from 'node:crypto';
import { openHumanEngine, type RecognitionEngine } from './engine';
import { RekognitionError, internalError, invalidS3Object } from './errors';
import { checkEncodedImage, decodeForInference } from './image-input';
import { DEFAULT_MODERATION_MIN_CONFIDENCE, toDetectModerationLabelsResponse } from './moderation-labels';
import { faceAnalysisFor, toDetectFacesResponse, toDetectLabelsResponse } from './rekognition-shapes';
import {
  parseDetectFacesRequest,
  parseDetectLabelsRequest,
  parseDetectModerationLabelsRequest,
  type ImageRef,
} from './requests';

export interface RekognitionServiceOptions {
  /** Reads an object of the local S3; throws when it is missing. */
  readS3Object(bucket: string, key: string, version?: string): Promise<Uint8Array>;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface RekognitionService {
  /** target = the X-Amz-Target header, e.g. 'RekognitionService.DetectLabels'; body = parsed JSON request. */
  handle(target: string, body: unknown): Promise<JsonResponse>;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'RekognitionService.';
/** Tells a reader of the traffic that the answer came from the offline stand-in, not from AWS. */
export const LOCAL_MARKER_HEADER = 'x-local-recognition';
const LOCAL_MARKER = 'human-wasm';

export function createRekognitionService(opts: RekognitionServiceOptions): RekognitionService {
  const engine: RecognitionEngine = openHumanEngine();

  async function readImage(image: ImageRef): Promise<Uint8Array> {
    if (image.kind === 'bytes') {
      checkEncodedImage(image.bytes, 'bytes');
      return image.bytes;
    }
    let bytes: Uint8Array;
    try {
      bytes = await opts.readS3Object(image.bucket, image.key, image.version);
    } catch {
      throw invalidS3Object();
    }
    checkEncodedImage(bytes, 's3');
    return bytes;
  }

  async function detectLabels(body: unknown): Promise<unknown> {
    const request = parseDetectLabelsRequest(body);
    const bytes = await readImage(request.image);
    return engine.run(async (detector) => {
      const image = await decodeForInference(bytes);
      const objects = await detector.detectObjects(image);
      return toDetectLabelsResponse(objects, request, detector.modelVersion);
    });
  }

  async function detectFaces(body: unknown): Promise<unknown> {
    const request = parseDetectFacesRequest(body);
    const bytes = await readImage(request.image);
    return engine.run(async (detector) => {
      const image = await decodeForInference(bytes);
      const faces = await detector.detectFaces(image, faceAnalysisFor(request.attributes));
      return toDetectFacesResponse(faces, request.attributes, image);
    });
  }

  async function detectModerationLabels(body: unknown): Promise<unknown> {
    const request = parseDetectModerationLabelsRequest(body, DEFAULT_MODERATION_MIN_CONFIDENCE);
    const bytes = await readImage(request.image);
    return engine.run(async (detector) => {
      const { scores, modelVersion } = await detector.moderate(await decodeForInference(bytes));
      return toDetectModerationLabelsResponse(scores, request.minConfidence, modelVersion);
    });
  }

  const operations: Record<string, (body: unknown) => Promise<unknown>> = {
    DetectLabels: detectLabels,
    DetectFaces: detectFaces,
    DetectModerationLabels: detectModerationLabels,
  };

  return {
    async handle(target, body) {
      const requestId = randomUUID();
      const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
      const operation = name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
      try {
        if (!operation) throw new RekognitionError('UnknownOperationException', `Unknown operation ${target}`);
        return { status: 200, headers: headers(requestId), body: await operation(body) };
      } catch (error) {
        const known =
          error instanceof RekognitionError
            ? error
            : internalError(error instanceof Error ? error.message : String(error));
        return errorResponse(known, requestId);
      }
    },
    close: () => engine.close(),
  };
}

function headers(requestId: string): Record<string, string> {
  return {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': requestId,
    [LOCAL_MARKER_HEADER]: LOCAL_MARKER,
  };
}

/** AWS JSON 1.1 errors: the SDK reads the type from x-amzn-ErrorType or `__type`, the text from `Message`. */
function errorResponse(error: RekognitionError, requestId: string): JsonResponse {
  return {
    status: error.status,
    headers: { ...headers(requestId), 'x-amzn-errortype': error.type },
    body: { __type: error.type, Message: error.message, Code: error.type },
  };
}
