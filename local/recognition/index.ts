/**
 * A Rekognition-compatible DetectLabels and DetectFaces for the offline stack, on @vladmandic/human over WASM.
 * Local only: nothing under functions/ may import this (it would drag the models into a Lambda bundle).
 */
export {
  createRekognitionService,
  LOCAL_MARKER_HEADER,
  type JsonResponse,
  type RekognitionService,
  type RekognitionServiceOptions,
} from './service';
