import type { Landmark, LandmarkType } from '@aws-sdk/client-rekognition';

/**
 * Rekognition's 30 landmark types as points of the 468-point MediaPipe face mesh Human returns.
 * Rekognition names sides from the viewer (eyeLeft is on the left of the picture); MediaPipe names them from the
 * subject, so Rekognition's "left" is MediaPipe's "right" throughout.
 */
const VIEWER_LEFT_EYE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173];
const VIEWER_RIGHT_EYE = [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398];

const LANDMARK_POINTS: ReadonlyArray<readonly [LandmarkType, readonly number[]]> = [
  ['eyeLeft', VIEWER_LEFT_EYE],
  ['eyeRight', VIEWER_RIGHT_EYE],
  ['mouthLeft', [61]],
  ['mouthRight', [291]],
  ['nose', [1]],
  ['leftEyeBrowLeft', [70]],
  ['leftEyeBrowRight', [107]],
  ['leftEyeBrowUp', [105]],
  ['rightEyeBrowLeft', [336]],
  ['rightEyeBrowRight', [300]],
  ['rightEyeBrowUp', [334]],
  ['leftEyeLeft', [33]],
  ['leftEyeRight', [133]],
  ['leftEyeUp', [159]],
  ['leftEyeDown', [145]],
  ['rightEyeLeft', [362]],
  ['rightEyeRight', [263]],
  ['rightEyeUp', [386]],
  ['rightEyeDown', [374]],
  ['noseLeft', [98]],
  ['noseRight', [327]],
  ['mouthUp', [0]],
  ['mouthDown', [17]],
  // Without the iris model the pupil is taken as the centre of the eye contour.
  ['leftPupil', VIEWER_LEFT_EYE],
  ['rightPupil', VIEWER_RIGHT_EYE],
  ['upperJawlineLeft', [234]],
  ['midJawlineLeft', [172]],
  ['chinBottom', [152]],
  ['midJawlineRight', [397]],
  ['upperJawlineRight', [454]],
];

/** Landmarks from a normalized face mesh; none when the mesh is missing or short (a face the mesh model rejected). */
export function toLandmarks(mesh: ReadonlyArray<readonly [number, number]>): Landmark[] {
  if (mesh.length < 468) return [];
  return LANDMARK_POINTS.map(([type, indices]) => {
    let x = 0;
    let y = 0;
    for (const index of indices) {
      const point = mesh[index] as readonly [number, number];
      x += point[0];
      y += point[1];
    }
    return { Type: type, X: x / indices.length, Y: y / indices.length };
  });
}
