import { expect } from 'chai';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type PutCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/s3-trigger';
import { InvalidConfiguration, InvalidEvent, TransientError } from '../../../functions/lib/errors';
import { executionArnFor, executionNameFor } from '../../../functions/lib/execution-name';
import { sequencerOrder } from '../../../functions/lib/sequencer';
import { imageIdFor } from '../../../functions/lib/upload-key';
import {
  ALBUM_TABLE,
  AwsMocks,
  awsError,
  eventFixture,
  STATE_MACHINE_ARN,
  TABLE,
  transactionCancelled,
  USER_ID,
} from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

/** S3Trigger with the events/ fixtures `sam local invoke S3Trigger -e` uses. */
describe('S3Trigger handler', () => {
  let aws: AwsMocks;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  const startCalls = (): StartExecutionCommandInput[] =>
    aws.sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
  const putCalls = (): PutCommandInput[] => aws.dynamo.commandCalls(PutCommand).map((call) => call.args[0].input);
  const transactions = (): TransactWriteCommandInput[] =>
    aws.dynamo.commandCalls(TransactWriteCommand).map((call) => call.args[0].input);
  /** An upload into an album whose item exists already: the new-photo transaction is refused on the item. */
  const itemExists = () =>
    aws.dynamo.on(TransactWriteCommand).rejects(transactionCancelled('ConditionalCheckFailed', 'None'));
  const VALID_NAME = /^[A-Za-z0-9_-]{1,80}$/;

  it('EventBridge "Object Created": records the upload as PROCESSING, then starts one execution named from bucket + key + sequencer', async () => {
    const key = `private/${USER_ID}/uploads/holidays/nikon-p6000_landscape_gps.jpg`;
    const name = executionNameFor('photorepo', key, '0065A1B2C3D4E5F601');
    const executionArn = executionArnFor(STATE_MACHINE_ARN, name);
    const outcomes = await handler(eventFixture('eventbridge-object-created.json'));
    expect(outcomes).to.deep.equal([{ key, outcome: 'started', executionArn }]);

    const upload = {
      userId: USER_ID,
      albumId: 'holidays',
      fileName: 'nikon-p6000_landscape_gps.jpg',
      key,
      bucket: 'photorepo',
      imageId: imageIdFor(key),
      sequencer: '0065A1B2C3D4E5F601',
      eventTime: '2026-11-22T10:15:30Z',
      sizeBytes: 161713,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      // The event's version: every step reads the upload at it.
      versionId: 'Lx8h3uM1q5Yz2QbVn0T7cW4kEj9RaXsD',
    };
    // A new photo in an album: its item and the album's +1 in one transaction (the album is made if missing).
    expect(putCalls()).to.deep.equal([]);
    const [transaction, ...moreTransactions] = transactions();
    expect(moreTransactions).to.deep.equal([]);
    const [itemAction, albumAction, ...moreActions] = transaction?.TransactItems ?? [];
    expect(moreActions).to.deep.equal([]);
    const put = itemAction?.Put;
    expect(put?.TableName).to.equal(TABLE);
    expect(put?.ConditionExpression).to.equal(
      'attribute_not_exists(imageId) OR (attribute_not_exists(userId) AND sequencerOrder < :order)',
    );
    expect(put?.ExpressionAttributeValues).to.deep.equal({ ':order': sequencerOrder('0065A1B2C3D4E5F601') });
    expect(albumAction?.Update).to.deep.include({
      TableName: ALBUM_TABLE,
      Key: { userId: USER_ID, albumId: 'holidays' },
      UpdateExpression:
        'SET #name = if_not_exists(#name, :name), createdAt = if_not_exists(createdAt, :createdAt) ADD photoCount :delta',
    });
    expect(albumAction?.Update?.ExpressionAttributeValues).to.deep.include({ ':name': 'holidays', ':delta': 1 });
    expect(put?.Item).to.deep.include({
      imageId: upload.imageId,
      bucket: 'photorepo',
      key,
      userId: USER_ID,
      albumId: 'holidays',
      albumKey: `${USER_ID}/holidays`,
      fileName: 'nikon-p6000_landscape_gps.jpg',
      sequencer: '0065A1B2C3D4E5F601',
      sequencerOrder: '0065A1B2C3D4E5F60100000000000000',
      status: 'PROCESSING',
      executionArn,
      uploadedAt: '2026-11-22T10:15:30Z',
      sizeBytes: 161713,
    });

    const [start, ...moreStarts] = startCalls();
    expect(moreStarts).to.deep.equal([]);
    expect(start).to.include({ stateMachineArn: STATE_MACHINE_ARN, name });
    expect(JSON.parse(start?.input ?? '{}')).to.deep.equal({ upload });
    expect(upload, 'the step fixtures in events/ carry what S3Trigger really sends').to.deep.equal(
      eventFixture<{ upload: unknown }>('extract-image-metadata.json').upload,
    );
    expect(start?.name)
      .to.match(VALID_NAME)
      .and.match(/^nikon-p6000_landscape_gps-jpg-[0-9a-f]{40}$/);
    const putCall = aws.dynamo.commandCalls(TransactWriteCommand)[0];
    const startCall = aws.sfn.commandCalls(StartExecutionCommand)[0];
    expect(
      putCall && startCall && putCall.calledBefore(startCall),
      'the item exists before the execution starts',
    ).to.equal(true);
  });

  it('names the execution the same way for the same event, and differently for another sequencer of the same key', async () => {
    const event = eventFixture<{ detail: { object: { sequencer: string } } }>('eventbridge-object-created.json');
    await handler(event);
    await handler(event);
    event.detail.object.sequencer = '0065A1B2C3D4E5F6FF';
    await handler(event);
    const [first, second, third] = startCalls().map((input) => input.name);
    expect(first).to.equal(second);
    expect(third).to.not.equal(first);
  });

  it('decodes an EventBridge key once: %-escapes and unicode decoded, a literal + kept', async () => {
    const [outcome] = await handler(eventFixture('eventbridge-object-created-special-chars.json'));
    const key = `private/${USER_ID}/uploads/été 2026/my photo+1 (100%).jpg`;
    expect(outcome).to.include({ key, outcome: 'started' });
    const input = JSON.parse(startCalls()[0]?.input ?? '{}') as { upload: Record<string, unknown> };
    expect(input.upload).to.include({
      key,
      userId: USER_ID,
      albumId: 'été 2026',
      fileName: 'my photo+1 (100%).jpg',
      imageId: imageIdFor(key),
    });
    expect(startCalls()[0]?.name)
      .to.match(VALID_NAME)
      .and.match(/^my-photo-1-100-jpg-[0-9a-f]{40}$/);
  });

  it('decodes a classic S3 notification key once: + is a space, %2B a plus', async () => {
    const [outcome] = await handler(eventFixture('s3-notification-put.json'));
    const key = `private/${USER_ID}/uploads/my photo+1 (100%).jpg`;
    expect(outcome).to.include({ key, outcome: 'started' });
    const input = JSON.parse(startCalls()[0]?.input ?? '{}') as { upload: Record<string, unknown> };
    expect(input.upload).to.include({
      key,
      fileName: 'my photo+1 (100%).jpg',
      sequencer: '0065A1B2C3D4E5F604',
      eventTime: '2026-11-22T10:15:30.000Z',
    });
    expect(input.upload).to.not.have.property('albumId');
    expect(putCalls()[0]?.Item).to.not.have.property('albumKey');
  });

  it('skips thumbnails under resized/ and folder placeholders without touching DynamoDB or Step Functions', async () => {
    const thumbnail = await handler(eventFixture('eventbridge-thumbnail-created.json'));
    expect(thumbnail).to.deep.equal([
      {
        key: `private/${USER_ID}/resized/holidays/nikon-p6000_landscape_gps.jpg`,
        outcome: 'skipped',
        reason: 'not an upload key',
      },
    ]);
    const folder = eventFixture<{ detail: { object: { key: string } } }>('eventbridge-object-created.json');
    folder.detail.object.key = `private/${USER_ID}/uploads/holidays/`;
    expect((await handler(folder))[0]).to.include({ outcome: 'skipped' });
    expect(aws.dynamo.calls()).to.deep.equal([]);
    expect(aws.sfn.calls()).to.deep.equal([]);
  });

  it('handles every ObjectCreated record of a notification and ignores other event names', async () => {
    const event = eventFixture<{ Records: Record<string, unknown>[] }>('s3-notification-put.json');
    const record = event.Records[0] as { eventName: string; s3: { object: { key: string } } };
    const second = structuredClone(record);
    second.s3.object.key = second.s3.object.key.replace('my+photo', 'other');
    const removed = { ...structuredClone(record), eventName: 'ObjectRemoved:Delete' };
    const outcomes = await handler({ Records: [record, removed, second] });
    expect(outcomes.map((outcome) => [outcome.key.split('/').at(-1), outcome.outcome])).to.deep.equal([
      ['my photo+1 (100%).jpg', 'started'],
      ['other+1 (100%).jpg', 'started'],
    ]);
  });

  it('a re-upload of a photo in an album replaces its item without counting it again', async () => {
    itemExists();
    const [outcome] = await handler(eventFixture('eventbridge-object-created.json'));
    expect(outcome).to.include({ outcome: 'started' });
    const [put, ...more] = putCalls();
    expect(more).to.deep.equal([]);
    expect(put?.ConditionExpression).to.equal('attribute_exists(userId) AND sequencerOrder < :order');
    expect(aws.sfn.commandCalls(StartExecutionCommand)).to.have.lengthOf(1);
  });

  it('an upload outside any album writes its item alone, with no album to count', async () => {
    await handler(eventFixture('s3-notification-put.json'));
    expect(transactions()).to.deep.equal([]);
    expect(putCalls()[0]?.ConditionExpression).to.equal('attribute_not_exists(imageId) OR sequencerOrder < :order');
  });

  it('duplicate delivery: the item already holds this sequencer and StartExecution answers ExecutionAlreadyExists, which counts as success', async () => {
    itemExists();
    aws.dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    aws.dynamo.on(GetCommand).resolves({ Item: { sequencerOrder: sequencerOrder('0065A1B2C3D4E5F601') } });
    aws.sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const [outcome] = await handler(eventFixture('eventbridge-object-created.json'));
    expect(outcome).to.include({ outcome: 'duplicate' });
    const get = aws.dynamo.commandCalls(GetCommand)[0]?.args[0].input;
    expect(get).to.deep.include({ TableName: TABLE, ConsistentRead: true, ProjectionExpression: 'sequencerOrder' });
  });

  it('out-of-order delivery: a newer upload already owns the item, so the event is stale and nothing starts', async () => {
    itemExists();
    aws.dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'newer', $metadata: {} }));
    aws.dynamo.on(GetCommand).resolves({ Item: { sequencerOrder: sequencerOrder('0065A1B2C3D4E5F7') } });
    const [outcome] = await handler(eventFixture('eventbridge-object-created.json'));
    expect(outcome).to.deep.include({ outcome: 'stale' });
    expect(aws.sfn.calls()).to.deep.equal([]);
  });

  it('throws TransientError when DynamoDB or Step Functions throttle, so Lambda retries the event', async () => {
    aws.sfn.on(StartExecutionCommand).rejects(awsError('ThrottlingException', 400));
    await expectRejection(
      handler(eventFixture('eventbridge-object-created.json')),
      TransientError,
      /StartExecution failed transiently: ThrottlingException/,
    );
    aws.reset();
    aws.dynamo.on(TransactWriteCommand).rejects(awsError('ProvisionedThroughputExceededException', 400));
    await expectRejection(
      handler(eventFixture('eventbridge-object-created.json')),
      TransientError,
      /Recording a new photo of the album failed transiently/,
    );
    aws.reset();
    aws.dynamo.on(PutCommand).rejects(awsError('ProvisionedThroughputExceededException', 400));
    await expectRejection(
      handler(eventFixture('s3-notification-put.json')),
      TransientError,
      /Recording the upload failed transiently/,
    );
  });

  it('rethrows a permanent Step Functions error unchanged', async () => {
    aws.sfn.on(StartExecutionCommand).rejects(awsError('StateMachineDoesNotExist', 400));
    const error = await expectRejection(
      handler(eventFixture('eventbridge-object-created.json')),
      Error,
      /StateMachineDoesNotExist/,
    );
    expect(error.name).to.equal('StateMachineDoesNotExist');
  });

  it('refuses an event of another shape with InvalidEvent', async () => {
    await expectRejection(
      handler({ hello: 'world' }),
      InvalidEvent,
      /EventBridge "Object Created" event or an S3 notification/,
    );
    await expectRejection(handler(null), InvalidEvent);
  });

  it('fails with InvalidConfiguration when STATE_MACHINE_ARN is missing', async () => {
    const saved = process.env.STATE_MACHINE_ARN;
    delete process.env.STATE_MACHINE_ARN;
    try {
      await expectRejection(
        handler(eventFixture('eventbridge-object-created.json')),
        InvalidConfiguration,
        /STATE_MACHINE_ARN is not set/,
      );
    } finally {
      process.env.STATE_MACHINE_ARN = saved;
    }
  });
});
