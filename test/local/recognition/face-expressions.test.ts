import type { DetectFacesResponse } from '@aws-sdk/client-rekognition';
import { expect } from 'chai';
import {
  eyeOpenness,
  eyesOpen,
  EYES_OPEN_RATIO,
  mouthOpen,
  mouthOpenness,
  smile,
} from '../../../local/recognition/face-expressions';
import { MODEL_TIMEOUT_MS, s3Image, sharedService } from './shared-service';

/** A 468-point mesh on a 100×100 image whose eyes and inner lips open by the given fraction of their width. */
function meshWith(eyeGap: number, lipGap: number): Array<[number, number]> {
  const mesh: Array<[number, number]> = Array.from({ length: 468 }, () => [0.5, 0.5]);
  const feature = (corners: [number, number], gap: [number, number], x: number, y: number, open: number) => {
    mesh[corners[0]] = [x - 0.05, y];
    mesh[corners[1]] = [x + 0.05, y];
    mesh[gap[0]] = [x, y - (0.1 * open) / 2];
    mesh[gap[1]] = [x, y + (0.1 * open) / 2];
  };
  feature([33, 133], [159, 145], 0.35, 0.4, eyeGap);
  feature([362, 263], [386, 374], 0.65, 0.4, eyeGap);
  feature([78, 308], [13, 14], 0.5, 0.75, lipGap);
  return mesh;
}
const size = { width: 100, height: 100 };

describe('face expressions from the mesh and the emotions', () => {
  it('measures eye and mouth openings as height over width', () => {
    expect(eyeOpenness(meshWith(0.3, 0), size)).to.be.closeTo(0.3, 1e-9);
    expect(mouthOpenness(meshWith(0, 0.4), size)).to.be.closeTo(0.4, 1e-9);
  });

  it('tells open eyes from shut ones, surer the further from the threshold', () => {
    expect(eyesOpen(meshWith(0.3, 0), size)).to.deep.include({ Value: true });
    expect(eyesOpen(meshWith(0.3, 0), size)?.Confidence).to.be.greaterThan(99);
    expect(eyesOpen(meshWith(0.05, 0), size)).to.deep.include({ Value: false });
    const unsure = eyesOpen(meshWith(EYES_OPEN_RATIO + 0.01, 0), size);
    expect(unsure?.Value).to.equal(true);
    expect(unsure?.Confidence).to.be.within(50, 60);
  });

  it('tells parted lips from closed ones', () => {
    expect(mouthOpen(meshWith(0.3, 0.45), size)?.Value).to.equal(true);
    expect(mouthOpen(meshWith(0.3, 0.02), size)?.Value).to.equal(false);
  });

  it('reads a smile from the happy score, with the probability of the answer as its confidence', () => {
    expect(smile(0.9)).to.deep.equal({ Value: true, Confidence: 90 });
    expect(smile(0.2)).to.deep.equal({ Value: false, Confidence: 80 });
    expect(smile(undefined)).to.equal(undefined);
  });

  it('gives no answer for a mesh that is not the full 468 points', () => {
    expect(eyesOpen([], size)).to.equal(undefined);
    expect(mouthOpen([[0, 0]], size)).to.equal(undefined);
  });
});

describe('DetectFaces attributes on the local model', function () {
  this.timeout(MODEL_TIMEOUT_MS);
  const service = sharedService();
  const facesOf = async (attributes: string[]) => {
    const answer = await service.handle('RekognitionService.DetectFaces', {
      Image: s3Image('skimage_astronaut.png'),
      Attributes: attributes,
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return (answer.body as DetectFacesResponse).FaceDetails ?? [];
  };

  it("answers ALL with the box, confidence, age range, emotions, smile and open eyes of the astronaut's face", async () => {
    const [face] = await facesOf(['ALL']);
    expect(face?.BoundingBox?.Width).to.be.within(0.2, 0.4);
    expect(face?.Confidence).to.be.greaterThan(90);
    expect(face?.AgeRange?.Low).to.be.below(face?.AgeRange?.High ?? 0);
    expect(face?.Emotions?.[0]?.Type).to.equal('HAPPY');
    expect(face?.Smile).to.deep.include({ Value: true });
    expect(face?.EyesOpen).to.deep.include({ Value: true });
    expect(face?.MouthOpen?.Confidence).to.be.within(50, 100);
  });

  it('answers SMILE alone without Emotions, and DEFAULT without any of them', async () => {
    const [smiling] = await facesOf(['SMILE']);
    expect(smiling?.Smile?.Value).to.equal(true);
    expect(smiling).to.not.have.any.keys('Emotions', 'EyesOpen', 'AgeRange');
    const [plain] = await facesOf(['DEFAULT']);
    expect(plain).to.not.have.any.keys('Smile', 'EyesOpen', 'MouthOpen', 'Emotions');
    expect(plain).to.include.keys('BoundingBox', 'Confidence', 'Landmarks', 'Pose', 'Quality');
  });
});
