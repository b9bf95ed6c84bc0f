import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  ImageTooLargeException,
  InvalidImageFormatException,
  InvalidParameterException,
  InvalidS3ObjectException,
  RekognitionClient,
  RekognitionServiceException,
  ResourceNotFoundException,
} from '@aws-sdk/client-rekognition';
import { expect } from 'chai';
import { fixture, paddedJpeg } from './photos';
import { BUCKET, MODEL_TIMEOUT_MS, sharedS3, sharedService } from './shared-service';

/** What the local stack does on its single endpoint: the X-Amz-Target header picks the operation. */
function serve(): Promise<Server> {
  const service = sharedService();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const response = await service.handle(String(req.headers['x-amz-target'] ?? ''), text ? JSON.parse(text) : {});
        res.writeHead(response.status, response.headers);
        res.end(JSON.stringify(response.body));
      })();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('local Rekognition through a real RekognitionClient (endpoint only)', function () {
  this.timeout(MODEL_TIMEOUT_MS);
  let server: Server;
  let client: RekognitionClient;

  before(async () => {
    server = await serve();
    client = new RekognitionClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  after(async () => {
    client?.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  describe('DetectLabels', () => {
    it('labels Image.Bytes (the SDK sends them base64 in the JSON body)', async () => {
      const response = await client.send(
        new DetectLabelsCommand({ Image: { Bytes: await fixture('skimage_chelsea-cat.png') } }),
      );
      expect(response.Labels?.map((label) => label.Name)).to.include.members(['Cat', 'Animal']);
      expect(response.LabelModelVersion).to.equal('local-human-3.3.6');
      expect(response.$metadata.httpStatusCode).to.equal(200);
      expect(response.$metadata.requestId).to.match(/^[0-9a-f-]{36}$/);
    });

    it('labels Image.S3Object read from the local S3', async () => {
      const response = await client.send(
        new DetectLabelsCommand({
          Image: { S3Object: { Bucket: BUCKET, Name: 'skimage_coffee.png' } },
          MaxLabels: 5,
          MinConfidence: 70,
        }),
      );
      const cup = response.Labels?.find((label) => label.Name === 'Cup');
      expect(cup?.Instances?.[0]?.BoundingBox?.Width).to.be.within(0, 1);
      expect(response.Labels?.length).to.be.at.most(5);
      for (const label of response.Labels ?? []) expect(label.Confidence).to.be.at.least(70);
    });
  });

  describe('DetectFaces', () => {
    it('finds faces in Image.Bytes with all attributes', async () => {
      const response = await client.send(
        new DetectFacesCommand({
          Image: { Bytes: await fixture('canon-ixus-2001_wedding-couple.jpg') },
          Attributes: ['ALL'],
        }),
      );
      expect(response.FaceDetails).to.have.length(3);
      for (const face of response.FaceDetails ?? []) {
        expect(face.Gender?.Value).to.be.oneOf(['Male', 'Female']);
        expect(face.AgeRange?.Low).to.be.a('number');
        expect(face.Emotions?.[0]?.Type).to.be.a('string');
        expect(face.Landmarks).to.have.length(30);
      }
    });

    it('finds the face in Image.S3Object with the default attributes', async () => {
      const response = await client.send(
        new DetectFacesCommand({ Image: { S3Object: { Bucket: BUCKET, Name: 'skimage_astronaut.png' } } }),
      );
      expect(response.FaceDetails).to.have.length(1);
      const [face] = response.FaceDetails ?? [];
      expect(face?.Pose?.Yaw).to.be.a('number');
      expect(face?.Quality?.Sharpness).to.be.a('number');
      expect(face?.AgeRange).to.equal(undefined);
    });
  });

  describe('errors arrive as the SDK exception classes', () => {
    it('InvalidImageFormatException for a GIF', async () => {
      const error = await rejectionOf(
        client.send(new DetectLabelsCommand({ Image: { Bytes: await fixture('generated_chelsea-cat.gif') } })),
      );
      expect(error).to.be.instanceOf(InvalidImageFormatException);
      expect(error.message).to.equal('Request has invalid image format');
    });

    it('ImageTooLargeException for a 16 MB S3 object and for Bytes over 5 MB', async () => {
      sharedS3.put('uploads/16mb.jpg', await paddedJpeg(16 * 1024 * 1024));
      const fromS3 = await rejectionOf(
        client.send(new DetectLabelsCommand({ Image: { S3Object: { Bucket: BUCKET, Name: 'uploads/16mb.jpg' } } })),
      );
      expect(fromS3).to.be.instanceOf(ImageTooLargeException);
      const asBytes = await rejectionOf(
        client.send(new DetectFacesCommand({ Image: { Bytes: await paddedJpeg(6 * 1024 * 1024) } })),
      );
      expect(asBytes).to.be.instanceOf(ImageTooLargeException);
    });

    it('InvalidS3ObjectException for a missing object', async () => {
      const error = await rejectionOf(
        client.send(new DetectFacesCommand({ Image: { S3Object: { Bucket: BUCKET, Name: 'missing.jpg' } } })),
      );
      expect(error).to.be.instanceOf(InvalidS3ObjectException);
    });

    it('InvalidParameterException for an image under 80 px, ValidationException for MinConfidence over 100', async () => {
      const tiny = await rejectionOf(
        client.send(new DetectLabelsCommand({ Image: { Bytes: await fixture('exifreader-fixture_iptc_tiny.jpg') } })),
      );
      expect(tiny).to.be.instanceOf(InvalidParameterException);
      const invalid = await rejectionOf(
        client.send(
          new DetectLabelsCommand({
            Image: { S3Object: { Bucket: BUCKET, Name: 'skimage_coffee.png' } },
            MinConfidence: 101,
          }),
        ),
      );
      expect(invalid).to.be.instanceOf(RekognitionServiceException);
      expect(invalid.name).to.equal('ValidationException');
    });
  });

  describe('DetectModerationLabels', () => {
    it('answers the SDK shape (labels, model version, content types) and raises its ResourceNotFoundException', async () => {
      const response = await client.send(
        new DetectModerationLabelsCommand({
          Image: { Bytes: await fixture('skimage_astronaut.png') },
          MinConfidence: 0,
        }),
      );
      expect(response.ModerationLabels?.map((label) => label.TaxonomyLevel)).to.include.members([1, 2]);
      expect(response.ModerationLabels?.every((label) => typeof label.ParentName === 'string')).to.equal(true);
      expect(response.ModerationModelVersion).to.match(/^local-nsfwjs-/);
      expect(response.ContentTypes?.[0]?.Name).to.equal('Illustrated');
      const error = await rejectionOf(
        client.send(
          new DetectModerationLabelsCommand({
            Image: { Bytes: await fixture('skimage_astronaut.png') },
            ProjectVersion: 'arn:aws:rekognition:us-east-1:000000000000:project/p/version/v/1',
          }),
        ),
      );
      expect(error).to.be.instanceOf(ResourceNotFoundException);
    });
  });
});
