import { InvalidConfiguration } from './errors';
import { CONVERTIBLE_FORMATS, isConvertibleFormat, type ConvertibleFormat } from './image-metadata';

/**
 * The one place environment variables are read. Each variable is read by its own function, so a bundle
 * contains the name of exactly the variables its handler uses (the template tests rely on that) and a
 * missing or malformed value fails loudly at the first use with InvalidConfiguration.
 */

/**
 * What a core function resolves when it first needs it, e.g. the readers below or an adapter's factory: a request
 * refused before a value is needed never reads it, nor fails on it.
 */
export type Lazy<T> = { readonly [K in keyof T]: () => T[K] };

export const imageMetadataTableName = (): string => requireString('IMAGE_METADATA_TABLE');
export const stateMachineArn = (): string => requireString('STATE_MACHINE_ARN');
export const notificationTopicArn = (): string => requireString('NOTIFICATION_TOPIC_ARN');
export const thumbnailMaxSize = (): number => positiveInteger('THUMBNAIL_MAX_SIZE', 250);
export const thumbnailMaxPixels = (): number => positiveInteger('THUMBNAIL_MAX_PIXELS', 40_000_000);
export const thumbnailMaxBytes = (): number => positiveInteger('THUMBNAIL_MAX_BYTES', 50 * 1024 * 1024);
export const labelsMaxCount = (): number => positiveInteger('LABELS_MAX_COUNT', 20);
export const labelsMinConfidence = (): number => percentage('LABELS_MIN_CONFIDENCE', 70);
export const detectFacesEnabled = (): boolean => flag('DETECT_FACES', true);
export const detectModerationEnabled = (): boolean => flag('DETECT_MODERATION', true);
export const moderationMinConfidence = (): number => percentage('MODERATION_MIN_CONFIDENCE', 60);
/** The formats the workflow converts for Rekognition; set but empty means none (the original JPEG/PNG-only workflow). */
export const convertFormats = (): ConvertibleFormat[] => formatList('CONVERT_FORMATS', CONVERTIBLE_FORMATS);
export const albumMetadataTableName = (): string => requireString('ALBUM_METADATA_TABLE');
export const photoBucketName = (): string => requireString('PHOTO_BUCKET');
export const uploadMaxBytes = (): number => positiveInteger('UPLOAD_MAX_BYTES', 50 * 1024 * 1024);
/**
 * Links into the AWS console only make sense on AWS: the SDK's own AWS_ENDPOINT_URL is set when the functions talk
 * to another endpoint (the local stack sets it), and then no console link is given.
 */
export const onAws = (): boolean => !process.env.AWS_ENDPOINT_URL;

function requireString(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new InvalidConfiguration(`Environment variable ${name} is not set`);
  return value;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidConfiguration(`Environment variable ${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function flag(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new InvalidConfiguration(`Environment variable ${name} must be true or false, got "${raw}"`);
}

function percentage(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw new InvalidConfiguration(`Environment variable ${name} must be a number from 0 to 100, got "${raw}"`);
  }
  return value;
}

function formatList(name: string, fallback: readonly ConvertibleFormat[]): ConvertibleFormat[] {
  const raw = process.env[name];
  if (raw === undefined) return [...fallback];
  const listed = raw
    .split(',')
    .map((format) => format.trim().toUpperCase())
    .filter((format) => format !== '');
  const unknown = listed.filter((format) => !isConvertibleFormat(format));
  if (unknown.length > 0) {
    throw new InvalidConfiguration(
      `Environment variable ${name} may list only ${CONVERTIBLE_FORMATS.join(', ')}; got ${unknown.join(', ')}`,
    );
  }
  return [...new Set(listed as ConvertibleFormat[])];
}
