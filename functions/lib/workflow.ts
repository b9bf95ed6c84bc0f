/**
 * What the state machine (statemachine/image-processing.asl.json) and the core must agree on, named once.
 * test/statemachine/asl-core.test.ts pins the ASL to these names; the supported formats live in image-metadata.ts.
 */

/**
 * The branches of the ProcessImage Parallel state, by the state each starts at, in the ASL's order. A Parallel state
 * outputs an array with one element per branch, so the ASL reads each branch's result by its index here
 * (`$[1].thumbnail` is GenerateThumbnail's): a new branch goes at the end, and the ASL's paths follow this list.
 */
export const PROCESS_IMAGE_BRANCHES = ['DetectLabels', 'GenerateThumbnail'] as const;
export type ProcessImageBranch = (typeof PROCESS_IMAGE_BRANCHES)[number];

/** The JSONPath of a branch's element in the ProcessImage output, e.g. `$[1]` for GenerateThumbnail. */
export function branchOutputPath(branch: ProcessImageBranch): string {
  return `$[${PROCESS_IMAGE_BRANCHES.indexOf(branch)}]`;
}
