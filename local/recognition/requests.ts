import { invalidParameter, invalidS3Object, resourceNotFound, validationError } from './errors';

export type ImageRef =
  { kind: 'bytes'; bytes: Uint8Array } | { kind: 's3'; bucket: string; key: string; version?: string };

export interface LabelFilters {
  includeLabels: readonly string[];
  excludeLabels: readonly string[];
  includeCategories: readonly string[];
  excludeCategories: readonly string[];
}

export interface DetectLabelsInput {
  image: ImageRef;
  maxLabels?: number;
  minConfidence: number;
  filters: LabelFilters;
}

export const FACE_ATTRIBUTES = [
  'DEFAULT',
  'ALL',
  'AGE_RANGE',
  'BEARD',
  'EMOTIONS',
  'EYE_DIRECTION',
  'EYEGLASSES',
  'EYES_OPEN',
  'GENDER',
  'MOUTH_OPEN',
  'MUSTACHE',
  'FACE_OCCLUDED',
  'SMILE',
  'SUNGLASSES',
] as const;
export type FaceAttribute = (typeof FACE_ATTRIBUTES)[number];

export interface DetectModerationLabelsInput {
  image: ImageRef;
  minConfidence: number;
}

export interface DetectFacesInput {
  image: ImageRef;
  attributes: ReadonlySet<FaceAttribute>;
}

/** Rekognition's default when MinConfidence is absent. */
export const DEFAULT_MIN_CONFIDENCE = 55;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function requestObject(body: unknown): Json {
  if (!isObject(body)) throw validationError(body, 'request', 'Member must be a JSON object');
  return body;
}

/** Validates like the service does: shape errors are ValidationException, contradictions InvalidParameterException. */
export function parseImage(value: unknown): ImageRef {
  if (value === undefined || value === null) throw validationError(null, 'image', 'Member must not be null');
  if (!isObject(value)) throw validationError(value, 'image', 'Member must be an object');
  const hasBytes = value.Bytes !== undefined && value.Bytes !== null;
  const hasS3 = value.S3Object !== undefined && value.S3Object !== null;
  if (hasBytes === hasS3) throw invalidParameter();
  if (hasBytes) {
    if (typeof value.Bytes !== 'string') throw validationError('...', 'image.bytes', 'Member must be a base64 string');
    const bytes = Buffer.from(value.Bytes, 'base64');
    if (bytes.length === 0)
      throw validationError('', 'image.bytes', 'Member must have length greater than or equal to 1');
    return { kind: 'bytes', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
  }
  const s3 = value.S3Object;
  if (!isObject(s3) || typeof s3.Bucket !== 'string' || typeof s3.Name !== 'string' || !s3.Bucket || !s3.Name) {
    throw invalidS3Object();
  }
  if (s3.Version !== undefined && typeof s3.Version !== 'string') throw invalidS3Object();
  return { kind: 's3', bucket: s3.Bucket, key: s3.Name, ...(s3.Version ? { version: s3.Version } : {}) };
}

function optionalNumber(
  value: unknown,
  member: string,
  min: number,
  max: number,
  integer: boolean,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw validationError(value, member, `Member must be ${integer ? 'an integer' : 'a number'}`);
  }
  if (value < min) throw validationError(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

function stringList(value: unknown, member: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw validationError(value, member, 'Member must be a list of strings');
  }
  return value;
}

export function parseDetectLabelsRequest(body: unknown): DetectLabelsInput {
  const request = requestObject(body);
  const image = parseImage(request.Image);
  const maxLabels = optionalNumber(request.MaxLabels, 'maxLabels', 0, Number.MAX_SAFE_INTEGER, true);
  const minConfidence = optionalNumber(request.MinConfidence, 'minConfidence', 0, 100, false) ?? DEFAULT_MIN_CONFIDENCE;
  const settings = isObject(request.Settings) ? request.Settings : {};
  const general = isObject(settings.GeneralLabels) ? settings.GeneralLabels : {};
  const filters: LabelFilters = {
    includeLabels: stringList(general.LabelInclusionFilters, 'settings.generalLabels.labelInclusionFilters'),
    excludeLabels: stringList(general.LabelExclusionFilters, 'settings.generalLabels.labelExclusionFilters'),
    includeCategories: stringList(
      general.LabelCategoryInclusionFilters,
      'settings.generalLabels.labelCategoryInclusionFilters',
    ),
    excludeCategories: stringList(
      general.LabelCategoryExclusionFilters,
      'settings.generalLabels.labelCategoryExclusionFilters',
    ),
  };
  return { image, ...(maxLabels !== undefined ? { maxLabels } : {}), minConfidence, filters };
}

export function parseDetectFacesRequest(body: unknown): DetectFacesInput {
  const request = requestObject(body);
  const image = parseImage(request.Image);
  const requested = stringList(request.Attributes, 'attributes');
  const unknown = requested.find((name) => !(FACE_ATTRIBUTES as readonly string[]).includes(name));
  if (unknown !== undefined) {
    throw validationError(unknown, 'attributes', `Member must satisfy enum value set: [${FACE_ATTRIBUTES.join(', ')}]`);
  }
  return { image, attributes: new Set(requested as FaceAttribute[]) };
}

/** HumanLoopConfig is accepted and ignored (no human review locally); a ProjectVersion names an adapter none has. */
export function parseDetectModerationLabelsRequest(
  body: unknown,
  defaultMinConfidence: number,
): DetectModerationLabelsInput {
  const request = requestObject(body);
  const image = parseImage(request.Image);
  const minConfidence = optionalNumber(request.MinConfidence, 'minConfidence', 0, 100, false) ?? defaultMinConfidence;
  if (request.ProjectVersion !== undefined && request.ProjectVersion !== null) {
    if (typeof request.ProjectVersion !== 'string' || request.ProjectVersion === '')
      throw validationError(
        request.ProjectVersion,
        'projectVersion',
        'Member must have length greater than or equal to 20',
      );
    throw resourceNotFound(
      `The custom moderation adapter ${request.ProjectVersion} does not exist in the local stack.`,
    );
  }
  return { image, minConfidence };
}
