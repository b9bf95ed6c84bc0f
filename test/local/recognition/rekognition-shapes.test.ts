import { expect } from 'chai';
import type { DetectedFace, DetectedObject } from '../../../local/recognition/engine';
import type { RgbImage } from '../../../local/recognition/image-input';
import type { FaceAttribute, LabelFilters } from '../../../local/recognition/requests';
import {
  faceAnalysisFor,
  labelConfidence,
  toDetectFacesResponse,
  toDetectLabelsResponse,
} from '../../../local/recognition/rekognition-shapes';

const box = (left: number, top: number, width = 0.2, height = 0.2) => ({ left, top, width, height });
const noFilters: LabelFilters = { includeLabels: [], excludeLabels: [], includeCategories: [], excludeCategories: [] };
const labels = (
  objects: DetectedObject[],
  request: { minConfidence?: number; maxLabels?: number; filters?: LabelFilters } = {},
) => toDetectLabelsResponse(objects, { minConfidence: 55, filters: noFilters, ...request }, 'local-human-test');
const names = (response: ReturnType<typeof labels>) => (response.Labels ?? []).map((label) => label.Name);

describe('Rekognition response shapes', () => {
  describe('DetectLabels', () => {
    const cat: DetectedObject = { label: 'cat', score: 0.47, box: box(0.1, 0.1, 0.5, 0.8) };
    const dog: DetectedObject = { label: 'dog', score: 0.25, box: box(0.6, 0.5) };

    it('names the class, boxes each instance, and emits every ancestor as a label without instances', () => {
      const response = labels([cat]);
      expect(response.LabelModelVersion).to.equal('local-human-test');
      expect(names(response)).to.deep.equal(['Cat', 'Animal', 'Mammal', 'Pet']);
      const [catLabel, animal] = response.Labels ?? [];
      expect(catLabel?.Confidence).to.equal(labelConfidence(0.47));
      expect(catLabel?.Instances).to.deep.equal([
        { BoundingBox: { Width: 0.5, Height: 0.8, Left: 0.1, Top: 0.1 }, Confidence: labelConfidence(0.47) },
      ]);
      expect(catLabel?.Parents).to.deep.equal([{ Name: 'Animal' }, { Name: 'Mammal' }, { Name: 'Pet' }]);
      expect(catLabel?.Categories).to.deep.equal([{ Name: 'Animals and Pets' }]);
      expect(catLabel?.Aliases).to.deep.equal([]);
      expect(animal).to.deep.include({ Name: 'Animal', Instances: [], Parents: [] });
    });

    it('gives an ancestor the confidence of its surest descendant', () => {
      const response = labels([cat, { ...dog, score: 0.45 }]);
      const animal = response.Labels?.find((label) => label.Name === 'Animal');
      expect(animal?.Confidence).to.equal(labelConfidence(0.47));
      expect(names(response)).to.include.members(['Cat', 'Dog', 'Canine']);
    });

    it('groups instances of one class under one label, surest first', () => {
      const people: DetectedObject[] = [0.35, 0.57, 0.46].map((score, i) => ({
        label: 'person',
        score,
        box: box(0.2 * i, 0.1),
      }));
      const [person] = labels(people).Labels ?? [];
      expect(person?.Name).to.equal('Person');
      expect(person?.Instances?.map((instance) => instance.Confidence)).to.deep.equal(
        [0.57, 0.46, 0.35].map(labelConfidence),
      );
    });

    it('drops labels and instances under MinConfidence', () => {
      expect(names(labels([cat, dog]))).not.to.include('Dog');
      expect(names(labels([cat, dog], { minConfidence: 50 }))).to.include('Dog');
      expect(labels([cat], { minConfidence: 99 }).Labels).to.deep.equal([]);
    });

    it('keeps the seen object before the ancestors it ties with, so MaxLabels keeps it', () => {
      expect(names(labels([cat], { maxLabels: 1 }))).to.deep.equal(['Cat']);
      expect(labels([cat], { maxLabels: 0 }).Labels).to.deep.equal([]);
    });

    it('honours the GeneralLabels inclusion and exclusion filters', () => {
      expect(names(labels([cat], { filters: { ...noFilters, includeLabels: ['Cat'] } }))).to.deep.equal(['Cat']);
      expect(names(labels([cat], { filters: { ...noFilters, excludeLabels: ['Pet'] } }))).to.deep.equal([
        'Cat',
        'Animal',
        'Mammal',
      ]);
      const cup: DetectedObject = { label: 'cup', score: 0.55, box: box(0.3, 0.3) };
      expect(
        names(labels([cat, cup], { filters: { ...noFilters, includeCategories: ['Kitchen and Dining'] } })),
      ).to.deep.equal(['Cup']);
      expect(
        names(labels([cat, cup], { filters: { ...noFilters, excludeCategories: ['Animals and Pets'] } })),
      ).to.deep.equal(['Cup']);
    });

    it('maps CenterNet scores monotonically into 0..100', () => {
      expect(labelConfidence(0.2)).to.equal(40);
      expect(labelConfidence(0.47)).to.be.closeTo(94, 1e-9);
      expect(labelConfidence(0.9)).to.equal(99.9);
    });
  });

  describe('DetectFaces', () => {
    const image: RgbImage = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 3).fill(128) };
    const mesh = Array.from({ length: 468 }, (_, i) => [0.3 + (i % 10) / 50, 0.3 + Math.floor(i / 47) / 50] as const);
    const face: DetectedFace = {
      score: 0.98,
      box: box(0.25, 0.25, 0.5, 0.5),
      mesh,
      angle: { roll: 0, yaw: Math.PI / 18, pitch: 0 },
      age: 30,
      gender: 'female',
      genderScore: 0.4,
      emotions: [
        { emotion: 'neutral', score: 0.3 },
        { emotion: 'happy', score: 0.6 },
        { emotion: 'sad', score: 0.1 },
      ],
    };
    const detail = (attributes: FaceAttribute[]) =>
      toDetectFacesResponse([face], new Set(attributes), image).FaceDetails?.[0];

    it('answers DEFAULT with BoundingBox, Confidence, Landmarks, Pose and Quality only', () => {
      for (const attributes of [[], ['DEFAULT']] as FaceAttribute[][]) {
        const result = detail(attributes);
        expect(result).to.have.all.keys('BoundingBox', 'Confidence', 'Landmarks', 'Pose', 'Quality');
        expect(result?.Landmarks).to.have.length(30);
        expect(result?.Pose?.Yaw).to.be.closeTo(10, 1e-9);
        expect(result?.Confidence).to.be.closeTo(98, 1e-9);
        expect(result?.Quality?.Brightness).to.be.closeTo(50.2, 0.1);
        expect(result?.Quality?.Sharpness).to.equal(0);
      }
      expect(faceAnalysisFor(new Set(['DEFAULT']))).to.deep.equal({ ageGender: false, emotions: false });
    });

    it('adds AgeRange, Gender and Emotions for ALL', () => {
      const result = detail(['ALL']);
      expect(result?.AgeRange).to.deep.equal({ Low: 24, High: 36 });
      expect(result?.Gender).to.deep.equal({ Value: 'Female', Confidence: 70 });
      expect(result?.Emotions).to.deep.equal([
        { Type: 'HAPPY', Confidence: 60 },
        { Type: 'CALM', Confidence: 30 },
        { Type: 'SAD', Confidence: 10 },
      ]);
      expect(faceAnalysisFor(new Set(['ALL']))).to.deep.equal({ ageGender: true, emotions: true });
    });

    it('adds only the attributes named, on top of the defaults', () => {
      const result = detail(['GENDER']);
      expect(result).to.have.property('Gender');
      expect(result).not.to.have.any.keys('AgeRange', 'Emotions');
      expect(result).to.include.all.keys('BoundingBox', 'Landmarks', 'Pose', 'Quality');
      expect(faceAnalysisFor(new Set(['EMOTIONS']))).to.deep.equal({ ageGender: false, emotions: true });
    });

    it('lists the largest face first, as Rekognition reports the largest faces', () => {
      const small = { ...face, box: box(0.1, 0.1, 0.1, 0.1) };
      const response = toDetectFacesResponse([small, face], new Set(), image);
      expect(response.FaceDetails?.map((d) => d.BoundingBox?.Width)).to.deep.equal([0.5, 0.1]);
    });
  });
});
