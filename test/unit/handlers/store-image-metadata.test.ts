import { expect } from 'chai';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/store-image-metadata';
import { InvalidEvent, TransientError, UploadSuperseded } from '../../../functions/lib/errors';
import { AwsMocks, awsError, eventFixture, TABLE } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

describe('StoreImageMetadata handler', () => {
  let aws: AwsMocks;
  const event = eventFixture<{ upload: { imageId: string }; metadata: Record<string, unknown> }>(
    'store-image-metadata.json',
  );
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  it('writes format, dimensions, EXIF and GPS on the item, only while it belongs to this upload', async () => {
    expect(await handler(event)).to.deep.equal({ imageId: event.upload.imageId });
    const [call, ...more] = aws.dynamo.commandCalls(UpdateCommand);
    expect(more).to.deep.equal([]);
    const input = call?.args[0].input;
    expect(input).to.include({
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(imageId) OR #order = :order',
    });
    expect(input?.Key).to.deep.equal({ imageId: event.upload.imageId });
    const [write] = aws.itemWrites();
    const { exif, gps, bytesRead: _bytesRead, ...scalars } = event.metadata;
    expect(write?.fields).to.deep.include({
      ...scalars,
      exif,
      gps,
      key: eventFixture<{ upload: { key: string } }>('store-image-metadata.json').upload.key,
    });
    expect(write?.fields).to.not.have.property('bytesRead');
    expect(write?.fields).to.not.have.property('status');
  });

  it('throws UploadSuperseded when a newer upload owns the item', async () => {
    aws.dynamo
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expectRejection(handler(event), UploadSuperseded, /than sequencer 0065A1B2C3D4E5F601 owns the item/);
  });

  it('throws TransientError when DynamoDB throttles', async () => {
    aws.dynamo.on(UpdateCommand).rejects(awsError('ProvisionedThroughputExceededException', 400));
    await expectRejection(handler(event), TransientError, /Storing the metadata failed transiently/);
  });

  it('throws InvalidEvent without metadata', async () => {
    const { metadata: _metadata, ...withoutMetadata } = event;
    await expectRejection(handler(withoutMetadata), InvalidEvent, /"metadata"/);
    expect(aws.dynamo.calls()).to.deep.equal([]);
  });
});
