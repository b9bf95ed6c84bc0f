/**
 * Rekognition's Smile, EyesOpen and MouthOpen, which Human has no model for, read from what it does give: the
 * 468-point face mesh (eye and mouth openings as aspect ratios, in pixels of the upright image) and the emotion
 * model's "happy" score. Each answer is a Value and the Confidence (50-100) that the Value is right, as Rekognition's.
 */
export interface BooleanAttribute {
  Value: boolean;
  Confidence: number;
}

type Mesh = ReadonlyArray<readonly [number, number]>;

/** Corner-to-corner and lid-to-lid points of each eye, and of the inner lips. */
const EYES = [
  { corners: [33, 133], lids: [159, 145] },
  { corners: [362, 263], lids: [386, 374] },
] as const;
const MOUTH = { corners: [78, 308], lips: [13, 14] } as const;

/**
 * Height over width of an open eye is 0.25-0.35 and of a shut one under 0.12 on MediaPipe's mesh; 0.18 is halfway.
 * Lips part when the inner-lip gap passes ~15 % of the mouth's width (0.05 when closed, 0.3+ when open).
 */
export const EYES_OPEN_RATIO = 0.18;
export const MOUTH_OPEN_RATIO = 0.15;
/** How far from the threshold a ratio must be for full confidence. */
const EYE_SPREAD = 0.08;
const MOUTH_SPREAD = 0.12;

function distance(mesh: Mesh, a: number, b: number, width: number, height: number): number {
  const [ax = 0, ay = 0] = mesh[a] ?? [];
  const [bx = 0, by = 0] = mesh[b] ?? [];
  return Math.hypot((ax - bx) * width, (ay - by) * height);
}

function ratio(mesh: Mesh, corners: readonly [number, number], gap: readonly [number, number], size: Size): number {
  const across = distance(mesh, corners[0], corners[1], size.width, size.height);
  return across > 0 ? distance(mesh, gap[0], gap[1], size.width, size.height) / across : 0;
}

interface Size {
  width: number;
  height: number;
}

function decide(value: number, threshold: number, spread: number): BooleanAttribute {
  const certainty = Math.min(1, Math.abs(value - threshold) / spread);
  return { Value: value >= threshold, Confidence: 50 + 49.9 * certainty };
}

/** Mean height/width of the two eyes. */
export const eyeOpenness = (mesh: Mesh, size: Size): number =>
  EYES.reduce((sum, eye) => sum + ratio(mesh, eye.corners, eye.lids, size), 0) / EYES.length;

export const mouthOpenness = (mesh: Mesh, size: Size): number => ratio(mesh, MOUTH.corners, MOUTH.lips, size);

export function eyesOpen(mesh: Mesh, size: Size): BooleanAttribute | undefined {
  return mesh.length < 468 ? undefined : decide(eyeOpenness(mesh, size), EYES_OPEN_RATIO, EYE_SPREAD);
}

export function mouthOpen(mesh: Mesh, size: Size): BooleanAttribute | undefined {
  return mesh.length < 468 ? undefined : decide(mouthOpenness(mesh, size), MOUTH_OPEN_RATIO, MOUTH_SPREAD);
}

/** A smile is the emotion model's "happy" past even odds; the confidence is its probability of the answer given. */
export function smile(happy: number | undefined): BooleanAttribute | undefined {
  if (happy === undefined) return undefined;
  return { Value: happy >= 0.5, Confidence: Math.min(99.9, 100 * Math.max(happy, 1 - happy)) };
}
