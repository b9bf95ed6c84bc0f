import type {
  BoundingBox,
  DetectFacesResponse,
  DetectLabelsResponse,
  EmotionName,
  FaceDetail,
  Instance,
  Label,
} from '@aws-sdk/client-rekognition';
import { rekognitionName, taxonomyOf } from './coco-labels';
import type { DetectedFace, DetectedObject, NormalizedBox } from './engine';
import { eyesOpen, mouthOpen, smile } from './face-expressions';
import { toLandmarks } from './face-landmarks';
import { measureFaceQuality } from './face-quality';
import type { RgbImage } from './image-input';
import type { DetectLabelsInput, FaceAttribute } from './requests';

/**
 * CenterNet's score is a heat-map peak, not a probability: unmistakable objects score 0.45–0.6 (the astronaut 0.60,
 * the coffee cup 0.55, Chelsea the cat 0.47) where Rekognition says 95–99. Doubling puts them there, and puts
 * Human's own discard level (0.2) at 40, under Rekognition's default MinConfidence of 55.
 */
export function labelConfidence(score: number): number {
  return Math.min(99.9, score * 200);
}

const toBoundingBox = (box: NormalizedBox): BoundingBox => ({
  Width: box.width,
  Height: box.height,
  Left: box.left,
  Top: box.top,
});

interface LabelDraft {
  name: string;
  confidence: number;
  instances: Instance[];
}

export function toDetectLabelsResponse(
  objects: readonly DetectedObject[],
  request: Pick<DetectLabelsInput, 'minConfidence' | 'maxLabels' | 'filters'>,
  modelVersion: string,
): DetectLabelsResponse {
  const drafts = new Map<string, LabelDraft>();
  const draft = (name: string): LabelDraft => {
    const existing = drafts.get(name);
    if (existing) return existing;
    const created: LabelDraft = { name, confidence: 0, instances: [] };
    drafts.set(name, created);
    return created;
  };

  for (const object of objects) {
    const confidence = labelConfidence(object.score);
    const label = draft(rekognitionName(object.label));
    label.confidence = Math.max(label.confidence, confidence);
    if (confidence >= request.minConfidence)
      label.instances.push({ BoundingBox: toBoundingBox(object.box), Confidence: confidence });
  }
  // Rekognition reports each ancestor as a label of its own, as sure as its surest descendant.
  for (const found of [...drafts.values()]) {
    for (const parent of taxonomyOf(found.name).parents) {
      const ancestor = draft(parent);
      ancestor.confidence = Math.max(ancestor.confidence, found.confidence);
    }
  }

  const { filters } = request;
  const labels = [...drafts.values()]
    .filter((label) => label.confidence >= request.minConfidence)
    .map(toLabel)
    .filter((label) => filters.includeLabels.length === 0 || filters.includeLabels.includes(label.Name ?? ''))
    .filter((label) => !filters.excludeLabels.includes(label.Name ?? ''))
    .filter((label) => filters.includeCategories.length === 0 || hasCategory(label, filters.includeCategories))
    .filter((label) => !hasCategory(label, filters.excludeCategories))
    .sort(byConfidenceThenInstances);

  return {
    Labels: request.maxLabels === undefined ? labels : labels.slice(0, request.maxLabels),
    LabelModelVersion: modelVersion,
  };
}

function toLabel(draft: LabelDraft): Label {
  const taxonomy = taxonomyOf(draft.name);
  return {
    Name: draft.name,
    Confidence: draft.confidence,
    Instances: [...draft.instances].sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0)),
    Parents: taxonomy.parents.map((Name) => ({ Name })),
    Aliases: (taxonomy.aliases ?? []).map((Name) => ({ Name })),
    Categories: taxonomy.categories.map((Name) => ({ Name })),
  };
}

const hasCategory = (label: Label, categories: readonly string[]): boolean =>
  (label.Categories ?? []).some((category) => categories.includes(category.Name ?? ''));

/** On a tie the object that was seen ("Cat") comes before the ancestors it implies ("Animal"), so MaxLabels keeps it. */
function byConfidenceThenInstances(a: Label, b: Label): number {
  return (
    (b.Confidence ?? 0) - (a.Confidence ?? 0) ||
    (b.Instances?.length ?? 0) - (a.Instances?.length ?? 0) ||
    (a.Name ?? '').localeCompare(b.Name ?? '')
  );
}

const EMOTIONS: Readonly<Record<string, EmotionName>> = {
  angry: 'ANGRY',
  disgust: 'DISGUSTED',
  fear: 'FEAR',
  happy: 'HAPPY',
  sad: 'SAD',
  surprise: 'SURPRISED',
  neutral: 'CALM',
};

const degrees = (radians: number): number => (radians * 180) / Math.PI;

/** Which optional models DetectFaces must run for these Attributes (DEFAULT needs the mesh only). */
export function faceAnalysisFor(attributes: ReadonlySet<FaceAttribute>): { ageGender: boolean; emotions: boolean } {
  const all = attributes.has('ALL');
  return {
    ageGender: all || attributes.has('AGE_RANGE') || attributes.has('GENDER'),
    // Smile is read from the emotion model's "happy".
    emotions: all || attributes.has('EMOTIONS') || attributes.has('SMILE'),
  };
}

export function toDetectFacesResponse(
  faces: readonly DetectedFace[],
  attributes: ReadonlySet<FaceAttribute>,
  image: RgbImage,
): DetectFacesResponse {
  const largestFirst = [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  return { FaceDetails: largestFirst.map((face) => toFaceDetail(face, attributes, image)) };
}

/** Default attributes always; AgeRange, Gender, Emotions, Smile, EyesOpen and MouthOpen when asked for by name or ALL. */
export function toFaceDetail(face: DetectedFace, attributes: ReadonlySet<FaceAttribute>, image: RgbImage): FaceDetail {
  const all = attributes.has('ALL');
  const detail: FaceDetail = { BoundingBox: toBoundingBox(face.box) };
  if ((all || attributes.has('AGE_RANGE')) && face.age !== undefined) {
    // Human estimates one age; Rekognition answers a range, about ±20 % wide for adults.
    detail.AgeRange = { Low: Math.max(0, Math.floor(face.age * 0.8)), High: Math.ceil(face.age * 1.2) };
  }
  if ((all || attributes.has('GENDER')) && face.gender) {
    detail.Gender = {
      Value: face.gender === 'male' ? 'Male' : 'Female',
      Confidence: Math.min(99.9, 50 + 50 * (face.genderScore ?? 0)),
    };
  }
  if ((all || attributes.has('EMOTIONS')) && face.emotions) {
    detail.Emotions = face.emotions
      .flatMap(({ emotion, score }) => {
        const type = EMOTIONS[emotion];
        return type ? [{ Type: type, Confidence: 100 * score }] : [];
      })
      .sort((a, b) => b.Confidence - a.Confidence);
  }
  Object.assign(detail, expressions(face, attributes, image));
  detail.Landmarks = toLandmarks(face.mesh);
  if (face.angle) {
    detail.Pose = { Roll: degrees(face.angle.roll), Yaw: degrees(face.angle.yaw), Pitch: degrees(face.angle.pitch) };
  }
  detail.Quality = measureFaceQuality(image, face.box);
  detail.Confidence = Math.min(100, 100 * face.score);
  return detail;
}

function expressions(face: DetectedFace, attributes: ReadonlySet<FaceAttribute>, image: RgbImage): FaceDetail {
  const wanted = (name: FaceAttribute) => attributes.has('ALL') || attributes.has(name);
  const happy = face.emotions?.find((emotion) => emotion.emotion === 'happy')?.score;
  const found: FaceDetail = {
    ...(wanted('SMILE') ? { Smile: smile(happy) } : {}),
    ...(wanted('EYES_OPEN') ? { EyesOpen: eyesOpen(face.mesh, image) } : {}),
    ...(wanted('MOUTH_OPEN') ? { MouthOpen: mouthOpen(face.mesh, image) } : {}),
  };
  return Object.fromEntries(Object.entries(found).filter(([, value]) => value !== undefined));
}
