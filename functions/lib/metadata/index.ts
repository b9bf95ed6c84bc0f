/** The metadata core of the ExtractImageMetadata step: pure, no AWS SDK, no clock, no environment. */
export { detectImageFormat } from './format';
export { parseImageMetadata, readImageMetadata } from './extract';
export type { ReadRange } from './read';
export { extractStepMetadata, extractUploadMetadata, type ExtractSettings } from './upload';
