import type { DetectFacesResponse, DetectLabelsResponse, Label } from '@aws-sdk/client-rekognition';
import { expect } from 'chai';
import { createRekognitionService, type JsonResponse } from '../../../local/recognition';
import { paddedJpeg } from './photos';
import { MODEL_TIMEOUT_MS, closeSharedService, s3Image, sharedS3, sharedService } from './shared-service';

const labelsOf = (response: JsonResponse): Label[] => {
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as DetectLabelsResponse).Labels ?? [];
};
const namesOf = (response: JsonResponse): string[] => labelsOf(response).map((label) => label.Name ?? '');
const facesOf = (response: JsonResponse) => {
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as DetectFacesResponse).FaceDetails ?? [];
};
const errorTypeOf = (response: JsonResponse): string => {
  expect(response.status).to.equal(400);
  expect(response.headers['x-amzn-errortype']).to.equal((response.body as { __type: string }).__type);
  return (response.body as { __type: string }).__type;
};

describe('local Rekognition service on real photos (S3 path)', function () {
  this.timeout(MODEL_TIMEOUT_MS);
  const service = sharedService();
  const detectLabels = (key: string, extra: object = {}) =>
    service.handle('RekognitionService.DetectLabels', { Image: s3Image(key), ...extra });
  const detectFaces = (key: string, extra: object = {}) =>
    service.handle('RekognitionService.DetectFaces', { Image: s3Image(key), ...extra });

  before(async () => {
    // Loads the model once; every later test reuses it.
    labelsOf(await detectLabels('skimage_coffee.png'));
  });

  describe('DetectLabels', () => {
    it('finds the person in the astronaut photo, with a box around her', async () => {
      const [person] = labelsOf(await detectLabels('skimage_astronaut.png')).filter((label) => label.Name === 'Person');
      expect(person?.Confidence).to.be.greaterThan(90);
      expect(person?.Instances).to.have.length(1);
      const box = person?.Instances?.[0]?.BoundingBox;
      expect(box?.Width).to.be.within(0.3, 1);
      expect(box?.Height).to.be.within(0.5, 1);
    });

    it('finds Chelsea as a Cat, with Animal, Mammal and Pet as labels of their own', async () => {
      const labels = labelsOf(await detectLabels('skimage_chelsea-cat.png'));
      expect(labels.map((label) => label.Name)).to.include.members(['Cat', 'Animal', 'Mammal', 'Pet']);
      const cat = labels.find((label) => label.Name === 'Cat');
      expect(cat?.Parents?.map((parent) => parent.Name)).to.have.members(['Animal', 'Mammal', 'Pet']);
      expect(cat?.Categories).to.deep.equal([{ Name: 'Animals and Pets' }]);
      expect(labels.find((label) => label.Name === 'Animal')?.Instances).to.deep.equal([]);
    });

    it('finds the cup in the coffee photo', async () => {
      expect(namesOf(await detectLabels('skimage_coffee.png'))).to.include('Cup');
    });

    it('finds the wedding party as several Person instances', async () => {
      const person = labelsOf(await detectLabels('canon-ixus-2001_wedding-couple.jpg')).find(
        (label) => label.Name === 'Person',
      );
      expect(person?.Instances?.length).to.be.at.least(3);
      for (const instance of person?.Instances ?? []) {
        const { Left = -1, Top = -1, Width = 0, Height = 0 } = instance.BoundingBox ?? {};
        expect(Left).to.be.within(0, 1);
        expect(Top).to.be.within(0, 1);
        expect(Left + Width).to.be.at.most(1);
        expect(Top + Height).to.be.at.most(1);
      }
    });

    it('boxes objects in the upright picture (EXIF orientation applied)', async () => {
      // orientation 8: stored sideways; upright, the child stands in the lower middle of a portrait frame.
      const person = labelsOf(await detectLabels('unsplash_portrait_orient8.jpg')).find(
        (label) => label.Name === 'Person',
      );
      const box = person?.Instances?.[0]?.BoundingBox;
      expect(box, 'a person box').to.exist;
      expect((box?.Top ?? 0) + (box?.Height ?? 0) / 2).to.be.within(0.6, 0.9);
      expect((box?.Left ?? 0) + (box?.Width ?? 0) / 2).to.be.within(0.3, 0.6);
    });

    it('respects MaxLabels and MinConfidence', async () => {
      expect(namesOf(await detectLabels('skimage_chelsea-cat.png', { MaxLabels: 1 }))).to.deep.equal(['Cat']);
      expect(namesOf(await detectLabels('skimage_chelsea-cat.png', { MaxLabels: 2 }))).to.have.length(2);
      expect(namesOf(await detectLabels('skimage_chelsea-cat.png', { MinConfidence: 99.95 }))).to.deep.equal([]);
      const strict = labelsOf(await detectLabels('canon-ixus-2001_wedding-couple.jpg', { MinConfidence: 90 }));
      const lenient = labelsOf(await detectLabels('canon-ixus-2001_wedding-couple.jpg', { MinConfidence: 40 }));
      expect(lenient.length).to.be.greaterThan(strict.length);
      for (const label of strict) expect(label.Confidence).to.be.at.least(90);
      const lenientPeople = lenient.find((label) => label.Name === 'Person')?.Instances?.length ?? 0;
      const strictPeople = strict.find((label) => label.Name === 'Person')?.Instances?.length ?? 0;
      expect(lenientPeople).to.be.greaterThan(strictPeople);
    });

    it('marks the answer as local and names the local model', async () => {
      const response = await detectLabels('skimage_coffee.png');
      expect(response.headers['x-local-recognition']).to.equal('human-wasm');
      expect(response.headers['content-type']).to.equal('application/x-amz-json-1.1');
      expect((response.body as DetectLabelsResponse).LabelModelVersion).to.equal('local-human-3.3.6');
    });

    it('answers the same photo the same way every time (no result caching between requests)', async () => {
      const first = await detectLabels('skimage_chelsea-cat.png');
      await detectLabels('skimage_coffee.png');
      expect((await detectLabels('skimage_chelsea-cat.png')).body).to.deep.equal(first.body);
    });
  });

  describe('DetectFaces', () => {
    it('returns the default attributes for the astronaut: one face, landmarks, pose, quality', async () => {
      const faces = facesOf(await detectFaces('skimage_astronaut.png'));
      expect(faces).to.have.length(1);
      const [face] = faces;
      expect(face).to.have.all.keys('BoundingBox', 'Confidence', 'Landmarks', 'Pose', 'Quality');
      expect(face?.Confidence).to.be.greaterThan(90);
      const at = (type: string) => face?.Landmarks?.find((landmark) => landmark.Type === type);
      // Sides are the viewer's: eyeLeft is on the left of the picture.
      expect(at('eyeLeft')?.X).to.be.lessThan(at('eyeRight')?.X ?? 0);
      expect(at('eyeLeft')?.Y).to.be.lessThan(at('nose')?.Y ?? 0);
      expect(at('nose')?.Y).to.be.lessThan(at('chinBottom')?.Y ?? 0);
      const { Left = 0, Top = 0, Width = 0, Height = 0 } = face?.BoundingBox ?? {};
      for (const landmark of face?.Landmarks ?? []) {
        expect(landmark.X, landmark.Type).to.be.within(Left - 0.05, Left + Width + 0.05);
        expect(landmark.Y, landmark.Type).to.be.within(Top - 0.05, Top + Height + 0.05);
      }
      expect(Math.abs(face?.Pose?.Yaw ?? 90)).to.be.lessThan(20);
      expect(face?.Quality?.Brightness).to.be.within(20, 80);
    });

    it('finds the three faces of the wedding photo with age, gender and emotions for ALL', async () => {
      const faces = facesOf(await detectFaces('canon-ixus-2001_wedding-couple.jpg', { Attributes: ['ALL'] }));
      expect(faces).to.have.length(3);
      for (const face of faces) {
        expect(face.AgeRange?.Low).to.be.within(10, 50);
        expect(face.AgeRange?.High).to.be.within((face.AgeRange?.Low ?? 0) + 1, 70);
        expect(face.Gender?.Value).to.be.oneOf(['Male', 'Female']);
        expect(face.Gender?.Confidence).to.be.within(50, 100);
        expect(face.Emotions?.length).to.be.at.least(6);
        expect(face.Emotions?.[0]?.Type).to.be.oneOf(['HAPPY', 'CALM']);
      }
      expect(faces.map((face) => face.Gender?.Value)).to.include.members(['Male', 'Female']);
    });

    it('adds only the attribute asked for by name', async () => {
      const [face] = facesOf(await detectFaces('skimage_astronaut.png', { Attributes: ['AGE_RANGE'] }));
      expect(face).to.have.property('AgeRange');
      expect(face).not.to.have.any.keys('Gender', 'Emotions');
    });

    it('finds no face on the cat or the coffee', async () => {
      expect(facesOf(await detectFaces('skimage_chelsea-cat.png'))).to.deep.equal([]);
      expect(facesOf(await detectFaces('skimage_coffee.png'))).to.deep.equal([]);
    });
  });

  describe('limits and errors, as Rekognition answers them', () => {
    it('refuses a 16 MB S3 object with ImageTooLargeException', async () => {
      sharedS3.put('uploads/16mb.jpg', await paddedJpeg(16 * 1024 * 1024));
      expect(errorTypeOf(await detectLabels('uploads/16mb.jpg'))).to.equal('ImageTooLargeException');
      expect(errorTypeOf(await detectFaces('uploads/16mb.jpg'))).to.equal('ImageTooLargeException');
    });

    it('refuses a GIF with InvalidImageFormatException', async () => {
      expect(errorTypeOf(await detectLabels('generated_chelsea-cat.gif'))).to.equal('InvalidImageFormatException');
      expect(errorTypeOf(await detectFaces('generated_chelsea-cat.gif'))).to.equal('InvalidImageFormatException');
    });

    it('answers a missing object with InvalidS3ObjectException', async () => {
      const response = await detectLabels('no-such-photo.jpg');
      expect(errorTypeOf(response)).to.equal('InvalidS3ObjectException');
      expect((response.body as { Message: string }).Message).to.match(/Unable to get object metadata from S3/);
    });

    it('answers a malformed request with ValidationException or InvalidParameterException', async () => {
      expect(errorTypeOf(await service.handle('RekognitionService.DetectLabels', {}))).to.equal('ValidationException');
      expect(errorTypeOf(await detectLabels('skimage_coffee.png', { MinConfidence: 101 }))).to.equal(
        'ValidationException',
      );
      expect(errorTypeOf(await service.handle('RekognitionService.DetectFaces', { Image: {} }))).to.equal(
        'InvalidParameterException',
      );
      expect(errorTypeOf(await detectLabels('exifreader-fixture_iptc_tiny.jpg'))).to.equal('InvalidParameterException');
    });

    it('answers an operation it does not emulate with UnknownOperationException', async () => {
      expect(
        errorTypeOf(await service.handle('RekognitionService.DetectText', { Image: s3Image('skimage_coffee.png') })),
      ).to.equal('UnknownOperationException');
    });
  });

  describe('sharing the model', () => {
    it('queues concurrent requests and answers every one of them', async () => {
      const keys = [
        'skimage_chelsea-cat.png',
        'skimage_coffee.png',
        'skimage_astronaut.png',
        'skimage_chelsea-cat.png',
      ];
      const sequential = [];
      for (const key of keys) sequential.push((await detectLabels(key)).body);
      const concurrent = await Promise.all([
        ...keys.map((key) => detectLabels(key)),
        detectFaces('canon-ixus-2001_wedding-couple.jpg'),
        detectLabels('generated_chelsea-cat.gif'),
      ]);
      expect(concurrent.slice(0, keys.length).map((response) => response.body)).to.deep.equal(sequential);
      expect(facesOf(concurrent[keys.length] as JsonResponse)).to.have.length(3);
      expect(errorTypeOf(concurrent[keys.length + 1] as JsonResponse)).to.equal('InvalidImageFormatException');
    });

    it('lets a second service use the loaded model, and closing it leaves the first one working', async () => {
      const second = createRekognitionService({ readS3Object: sharedS3.readS3Object });
      expect(
        namesOf(await second.handle('RekognitionService.DetectLabels', { Image: s3Image('skimage_coffee.png') })),
      ).to.include('Cup');
      await second.close();
      const closed = await second.handle('RekognitionService.DetectLabels', { Image: s3Image('skimage_coffee.png') });
      expect(closed.status).to.equal(500);
      expect(namesOf(await detectLabels('skimage_coffee.png'))).to.include('Cup');
    });

    it('frees the model when the last service closes, and loads it again for the next one', async () => {
      await closeSharedService();
      const fresh = sharedService();
      expect(
        namesOf(await fresh.handle('RekognitionService.DetectLabels', { Image: s3Image('skimage_chelsea-cat.png') })),
      ).to.include('Cat');
    });
  });
});
