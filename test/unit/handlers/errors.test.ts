import { expect } from 'chai';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as completeProcessing } from '../../../functions/complete-processing';
import { handler as reconcileExecution } from '../../../functions/reconcile-execution';
import { handler as detectLabels } from '../../../functions/detect-labels';
import { handler as extractImageMetadata } from '../../../functions/extract-image-metadata';
import { handler as generateThumbnail } from '../../../functions/generate-thumbnail';
import { handler as storeImageMetadata } from '../../../functions/store-image-metadata';
import * as errors from '../../../functions/lib/errors';
import { PERMANENT_ERROR_NAMES } from '../../../functions/lib/errors';
import { parseUploadKey } from '../../../functions/lib/upload-key';
import { AwsMocks, awsError, eventFixture, fixtureImage } from '../../support/aws-mocks';
import { withEnv } from '../../support/helpers';

/** Every error class of functions/lib/errors.ts, raised by a real path through a handler (or the key grammar). */
describe('every workflow error is raised by some path', () => {
  let aws: AwsMocks;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  const thumbnailEvent = eventFixture<{ upload: { key: string }; metadata: Record<string, unknown> }>(
    'generate-thumbnail.json',
  );
  const paths: Record<string, () => Promise<unknown>> = {
    NotSupportedImageType: () =>
      generateThumbnail({ ...thumbnailEvent, metadata: { ...thumbnailEvent.metadata, format: 'WEBP' } }),
    InvalidUploadKey: async () => parseUploadKey('public/u/uploads/a.jpg'),
    ImageTooLarge: () => {
      aws.objects.set(thumbnailEvent.upload.key, fixtureImage('nikon-p6000_landscape_gps.jpg'));
      return withEnv({ THUMBNAIL_MAX_PIXELS: '1000' }, () => generateThumbnail(thumbnailEvent));
    },
    UploadTooLarge: () => withEnv({ THUMBNAIL_MAX_BYTES: '1000' }, () => generateThumbnail(thumbnailEvent)),
    CorruptImage: () => {
      aws.objects.set(thumbnailEvent.upload.key, fixtureImage('nikon-p6000_landscape_gps.jpg').slice(0, 4000));
      return generateThumbnail(thumbnailEvent);
    },
    UploadNotFound: () => extractImageMetadata(eventFixture('extract-image-metadata.json')),
    UploadSuperseded: () => {
      aws.dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
      return storeImageMetadata(eventFixture('store-image-metadata.json'));
    },
    InvalidConfiguration: () =>
      withEnv({ LABELS_MAX_COUNT: '-1' }, () => detectLabels(eventFixture('detect-labels.json'))),
    InvalidEvent: () => completeProcessing({ upload: {} }),
    TransientError: () => {
      aws.dynamo.on(UpdateCommand).rejects(awsError('ThrottlingException'));
      return completeProcessing(eventFixture('complete-processing.json'));
    },
  };

  /** Errors no step throws: ReconcileExecution records them on the item of an execution that ended unrecorded. */
  const recorded: Record<string, Record<string, unknown>> = {
    ExecutionFailed: eventFixture('execution-status-change-failed.json'),
    ExecutionAborted: eventFixture('execution-status-change-aborted.json'),
    ExecutionTimedOut: withStatus(eventFixture('execution-status-change-failed.json'), 'TIMED_OUT'),
  };
  const exported = Object.entries(errors).filter(([name, value]) => typeof value === 'function' && !(name in recorded));

  for (const [className, event] of Object.entries(recorded)) {
    it(`${className}: exported, and the name ReconcileExecution records on the item`, async () => {
      expect(errors).to.have.property(className);
      await reconcileExecution(event);
      const written = lastError();
      expect(written?.name).to.equal(className);
      expect(written?.message).to.be.a('string').and.not.equal('');
    });
  }

  const lastError = () =>
    aws.dynamo.commandCalls(UpdateCommand).at(-1)?.args[0].input.ExpressionAttributeValues?.[':error'] as
      { name: string; message: string } | undefined;

  it('has a path for every exported error class, and PERMANENT_ERROR_NAMES lists all but TransientError', () => {
    expect(exported.map(([name]) => name)).to.have.members(Object.keys(paths));
    expect([...PERMANENT_ERROR_NAMES, 'TransientError']).to.have.members(Object.keys(paths));
  });

  for (const [className, ErrorClass] of exported) {
    it(`${className}: its name is the class name the ASL matches, and some path throws it`, async () => {
      const run = paths[className];
      if (!run) throw new Error(`no path raises ${className}`);
      const thrown = await run().then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(thrown, `${className} was not thrown`).to.be.instanceOf(ErrorClass as unknown as new () => Error);
      expect(thrown?.name).to.equal(className);
      expect(thrown?.message).to.be.a('string').and.not.equal('');
    });
  }
});

function withStatus(event: Record<string, unknown>, status: string): Record<string, unknown> {
  return { ...event, detail: { ...(event.detail as Record<string, unknown>), status } };
}
