import { isPhotoItem, type ImageItem, type StoredItem } from './image-item';

/**
 * The public view of an ImageMetadata item (docs/api.md, "Photos"): every field passes through except the internal
 * ones, so fields later steps add (faces, moderation, rendition, ...) appear without a change here.
 */
const INTERNAL_FIELDS = [
  'bucket',
  'key',
  'sequencer',
  'sequencerOrder',
  'albumKey',
  'userId',
  'deletedAt',
  'expiresAt',
] as const;

export type PhotoView = Omit<ImageItem, (typeof INTERNAL_FIELDS)[number]> & {
  thumbnailUrl?: string;
  originalUrl?: string;
  executionConsoleUrl?: string;
};

export function photoView(item: ImageItem): PhotoView {
  const view: Record<string, unknown> = { ...item };
  for (const field of INTERNAL_FIELDS) delete view[field];
  return view as PhotoView;
}

/**
 * The item only if it is a live photo of this caller. A tombstone (a deleted photo's marker, which has no owner
 * fields) and another user's photo both answer undefined: the routes turn that into the same 404.
 */
export function ownPhoto(item: StoredItem | undefined, userId: string): ImageItem | undefined {
  return isPhotoItem(item) && item.userId === userId ? item : undefined;
}

/** The Step Functions console page of an execution (the region is the ARN's). */
export function executionConsoleUrl(executionArn: string): string {
  const region = executionArn.split(':')[3] ?? '';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
