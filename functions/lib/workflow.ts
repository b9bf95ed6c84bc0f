import type { RenditionRef } from './image-item';
import type { ImageMetadata } from './image-metadata';

/**
 * What the state machine (statemachine/image-processing.asl.json) and the core must agree on, named once.
 * test/statemachine/asl-core.test.ts pins the ASL to these names; the supported formats live in image-metadata.ts.
 */

/**
 * The branches of the ProcessImage Parallel state, by the state each starts at, in the ASL's order. A Parallel state
 * outputs an array with one element per branch, so the ASL reads each branch's result by its index here
 * (`$[1].thumbnail` is GenerateThumbnail's): a new branch goes at the end, and the ASL's paths follow this list.
 */
export const PROCESS_IMAGE_BRANCHES = [
  'DetectLabels',
  'GenerateThumbnail',
  'DetectFaces',
  'DetectModerationLabels',
] as const;
export type ProcessImageBranch = (typeof PROCESS_IMAGE_BRANCHES)[number];

/**
 * The field each branch keeps its step's result in (its ResultPath, `$.<field>`), and under which ProcessImage's
 * ResultSelector hands it on (`$.processed.<field>`) to CompleteProcessing.
 */
export const BRANCH_RESULT_FIELDS = {
  DetectLabels: 'labels',
  GenerateThumbnail: 'thumbnail',
  DetectFaces: 'faces',
  DetectModerationLabels: 'moderation',
} as const satisfies Record<ProcessImageBranch, string>;

/** The JSONPath of a branch's element in the ProcessImage output, e.g. `$[1]` for GenerateThumbnail. */
export function branchOutputPath(branch: ProcessImageBranch): string {
  return `$[${PROCESS_IMAGE_BRANCHES.indexOf(branch)}]`;
}

/**
 * The flag ExtractImageMetadata sets on its output for a format CONVERT_FORMATS names: ImageTypeCheck lets such an
 * upload through beside SUPPORTED_FORMATS, and ConversionCheck sends it to ConvertImage.
 */
export const CONVERTIBLE_FLAG = 'convertible';

/**
 * Where ConvertImage's result lands inside the metadata (`$.metadata.Payload.rendition`), so every later step, which
 * already gets the metadata, finds it there and no state's Parameters name a path that may be missing.
 */
export const RENDITION_FIELD = 'rendition';

/**
 * The metadata as it travels through the state machine (`$.metadata.Payload`): what ExtractImageMetadata read, its
 * conversion flag, and what ConvertImage adds to it.
 */
export interface StepMetadata extends ImageMetadata {
  [CONVERTIBLE_FLAG]?: boolean;
  [RENDITION_FIELD]?: RenditionRef;
  /** ConvertImage's refusal (an animated WebP), which its Catch puts here for RecordUnsupported to record. */
  unsupported?: { Error?: string; Cause?: string };
}
