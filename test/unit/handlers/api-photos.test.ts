import { expect } from 'chai';
import { DeleteObjectsCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handler as deletePhoto } from '../../../functions/delete-photo';
import { handler as getPhoto } from '../../../functions/get-photo';
import { handler as getPhotoExecution } from '../../../functions/get-photo-execution';
import { handler as listPhotos } from '../../../functions/list-photos';
import { sequencerOrder } from '../../../functions/lib/sequencer';
import { imageIdFor } from '../../../functions/lib/upload-key';
import { AwsMocks, BUCKET, TABLE } from '../../support/aws-mocks';
import { ALICE, BOB, call, expectError } from './api-helpers';
import { withEnv } from '../../support/helpers';

/** The photo routes with their events/ fixtures; DynamoDB, S3 and Step Functions mocked at the SDK. */
describe('photo routes', () => {
  let aws: AwsMocks;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  const keyOf = (user: string, file: string) => `private/${user}/uploads/holidays/${file}`;
  const item = (user: string, file: string, uploadedAt = '2026-11-22T10:15:31.000Z') => {
    const key = keyOf(user, file);
    return {
      imageId: imageIdFor(key),
      bucket: BUCKET,
      key,
      userId: user,
      albumId: 'holidays',
      albumKey: `${user}/holidays`,
      fileName: file,
      status: 'SUCCEEDED',
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:ImageProcessing:${file}`,
      sequencer: '0065A1B2C3D4E5F601',
      sequencerOrder: sequencerOrder('0065A1B2C3D4E5F601'),
      uploadedAt,
      updatedAt: uploadedAt,
      thumbnail: {
        key: keyOf(user, file).replace('/uploads/', '/resized/'),
        width: 250,
        height: 188,
        format: 'JPEG',
        sizeBytes: 9,
      },
      labels: [{ name: 'Castle', confidence: 81.5, parents: [] }],
    };
  };
  const aliceItem = item(ALICE, 'nikon-p6000_landscape_gps.jpg');
  const INTERNAL = ['bucket', 'key', 'sequencer', 'sequencerOrder', 'albumKey', 'userId'];

  describe('GET /photos (ListPhotos)', () => {
    /** A DynamoDB ByUser/ByAlbum query over these items: newest first, `Limit`, `ExclusiveStartKey`. */
    function serveQuery(items: ReturnType<typeof item>[]) {
      aws.dynamo.on(QueryCommand).callsFake((input: Record<string, any>) => {
        const partition = input.ExpressionAttributeValues[':partition'];
        const attribute = input.ExpressionAttributeNames['#partition'];
        const mine = items
          .filter((i) => (attribute === 'userId' ? i.userId : i.albumKey) === partition)
          .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt));
        const start = input.ExclusiveStartKey
          ? mine.findIndex((i) => i.imageId === input.ExclusiveStartKey.imageId) + 1
          : 0;
        const page = mine.slice(start, start + input.Limit);
        const more = start + input.Limit < mine.length;
        const last = page.at(-1);
        return {
          Items: page,
          ...(more && last
            ? { LastEvaluatedKey: { imageId: last.imageId, uploadedAt: last.uploadedAt, [attribute]: partition } }
            : {}),
        };
      });
    }

    it('pages through the caller photos newest first with an opaque next, none of another user', async () => {
      const photos = Array.from({ length: 5 }, (_, n) => item(ALICE, `p${n}.jpg`, `2026-11-2${n}T10:00:00.000Z`));
      serveQuery([...photos, item(BOB, 'bob.jpg', '2026-11-30T00:00:00.000Z')]);
      const seen: string[] = [];
      let next: string | undefined;
      let pages = 0;
      do {
        const answer = await call(listPhotos, 'list-photos.json', { query: { limit: '2', ...(next ? { next } : {}) } });
        expect(answer.status).to.equal(200);
        seen.push(...answer.json.photos.map((p: { fileName: string }) => p.fileName));
        next = answer.json.next;
        pages += 1;
      } while (next);
      expect(pages).to.equal(3);
      expect(seen).to.deep.equal(['p4.jpg', 'p3.jpg', 'p2.jpg', 'p1.jpg', 'p0.jpg']);
      const partitions = aws.dynamo
        .commandCalls(QueryCommand)
        .map((c) => c.args[0].input.ExpressionAttributeValues?.[':partition']);
      expect(new Set(partitions)).to.deep.equal(new Set([ALICE]));
    });

    it("a token of alice's used by bob reads bob's partition only", async () => {
      serveQuery([item(ALICE, 'a.jpg'), item(ALICE, 'b.jpg', '2026-11-23T00:00:00.000Z')]);
      const first = await call(listPhotos, 'list-photos.json', { query: { limit: '1' } });
      expect(first.json.next).to.be.a('string');
      const bob = await call(listPhotos, 'list-photos.json', {
        sub: BOB,
        query: { limit: '1', next: first.json.next },
      });
      expect(bob.json.photos).to.deep.equal([]);
      const query = aws.dynamo.commandCalls(QueryCommand).at(-1)?.args[0].input;
      expect(query?.ExpressionAttributeValues).to.deep.equal({ ':partition': BOB });
      expect(query?.ExclusiveStartKey).to.include({ userId: BOB });
    });

    it('lists one album (404 when the caller has no such album), with thumbnail URLs and no internal field', async () => {
      serveQuery([aliceItem]);
      aws.dynamo
        .on(GetCommand)
        .resolves({ Item: { userId: ALICE, albumId: 'holidays', name: 'H', createdAt: '2026', photoCount: 1 } });
      const answer = await call(listPhotos, 'list-photos.json');
      expect(answer.status).to.equal(200);
      const [photo] = answer.json.photos;
      for (const field of INTERNAL) expect(photo, field).not.to.have.property(field);
      expect(photo).to.include({ imageId: aliceItem.imageId, status: 'SUCCEEDED', albumId: 'holidays' });
      expect(decodeURIComponent(new URL(photo.thumbnailUrl).pathname)).to.equal(`/${aliceItem.thumbnail.key}`);
      expect(aws.dynamo.commandCalls(QueryCommand)[0]?.args[0].input).to.deep.include({
        IndexName: 'ByAlbum',
        ExpressionAttributeValues: { ':partition': `${ALICE}/holidays` },
      });
      aws.dynamo.on(GetCommand).resolves({});
      expectError(await call(listPhotos, 'list-photos.json', { sub: BOB }), 404, 'NotFound');
    });

    it('refuses a bad limit, a garbage next, a next of another listing and unknown parameters (400)', async () => {
      serveQuery([item(ALICE, 'a.jpg'), item(ALICE, 'b.jpg', '2026-11-23T00:00:00.000Z')]);
      const allPhotos = await call(listPhotos, 'list-photos.json', { query: { limit: '1' } });
      aws.dynamo.on(GetCommand).resolves({ Item: { userId: ALICE, albumId: 'holidays' } });
      const queries: Record<string, string>[] = [
        { limit: '0' },
        { limit: '101' },
        { limit: 'ten' },
        { next: 'garbage!' },
        { next: Buffer.from('{"v":1}').toString('base64url') },
        { albumId: 'holidays', next: allPhotos.json.next },
        { albumId: '' },
        { owner: ALICE },
      ];
      for (const query of queries) {
        expectError(await call(listPhotos, 'list-photos.json', { query }), 400, 'BadRequest');
      }
    });
  });

  describe('GET /photos/{imageId} (GetPhoto)', () => {
    it('answers the photo with presigned original and thumbnail URLs, and hides the internal fields', async () => {
      aws.dynamo.on(GetCommand).resolves({ Item: aliceItem });
      const answer = await withEnv({ AWS_ENDPOINT_URL: undefined }, () => call(getPhoto, 'get-photo.json'));
      expect(answer.status).to.equal(200);
      for (const field of INTERNAL) expect(answer.json, field).not.to.have.property(field);
      expect(answer.json).to.deep.include({ imageId: aliceItem.imageId, labels: aliceItem.labels });
      expect(decodeURIComponent(new URL(answer.json.originalUrl).pathname)).to.equal(`/${aliceItem.key}`);
      expect(new URL(answer.json.originalUrl).searchParams.get('X-Amz-Expires')).to.equal('900');
      expect(decodeURIComponent(new URL(answer.json.thumbnailUrl).pathname)).to.equal(`/${aliceItem.thumbnail.key}`);
      expect(answer.json.executionConsoleUrl).to.equal(
        `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${aliceItem.executionArn}`,
      );
      expect(aws.dynamo.commandCalls(GetCommand)[0]?.args[0].input).to.deep.include({
        TableName: TABLE,
        Key: { imageId: aliceItem.imageId },
      });
    });

    it('gives no console link off AWS (the local stack sets AWS_ENDPOINT_URL)', async () => {
      aws.dynamo.on(GetCommand).resolves({ Item: aliceItem });
      const answer = await withEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, () =>
        call(getPhoto, 'get-photo.json'),
      );
      expect(answer.json).not.to.have.property('executionConsoleUrl');
    });

    it("answers 404 for another user's photo and for a deleted one, exactly like a missing one; 400 for a bad id", async () => {
      aws.dynamo.on(GetCommand).resolves({ Item: aliceItem });
      const other = await call(getPhoto, 'get-photo.json', { sub: BOB });
      aws.dynamo.on(GetCommand).resolves({
        Item: { imageId: aliceItem.imageId, sequencer: '01', sequencerOrder: '01', deletedAt: 'x', expiresAt: 1 },
      });
      const tombstone = await call(getPhoto, 'get-photo.json');
      aws.dynamo.on(GetCommand).resolves({});
      const missing = await call(getPhoto, 'get-photo.json');
      for (const answer of [other, tombstone, missing]) expectError(answer, 404, 'NotFound');
      expect(other.json).to.deep.equal(missing.json);
      expectError(await call(getPhoto, 'get-photo.json', { pathParameters: { imageId: 'x/../y' } }), 400, 'BadRequest');
    });
  });

  describe('GET /photos/{imageId}/execution (GetPhotoExecution)', () => {
    it("answers the photo's execution with its steps", async () => {
      aws.dynamo.on(GetCommand).resolves({ Item: aliceItem });
      aws.sfn.on(DescribeExecutionCommand).resolves({
        executionArn: aliceItem.executionArn,
        status: 'RUNNING',
        startDate: new Date('2026-11-22T10:15:32Z'),
      });
      aws.sfn.on(GetExecutionHistoryCommand).resolves({
        events: [
          { id: 1, type: 'ExecutionStarted', timestamp: new Date('2026-11-22T10:15:32Z') },
          {
            id: 2,
            previousEventId: 1,
            type: 'TaskStateEntered',
            timestamp: new Date('2026-11-22T10:15:33Z'),
            stateEnteredEventDetails: { name: 'ExtractImageMetadata' },
          },
        ],
      });
      const answer = await call(getPhotoExecution, 'get-photo-execution.json');
      expect(answer.status).to.equal(200);
      expect(answer.json).to.deep.equal({
        executionArn: aliceItem.executionArn,
        status: 'RUNNING',
        startedAt: '2026-11-22T10:15:32.000Z',
        steps: [{ name: 'ExtractImageMetadata', status: 'RUNNING', startedAt: '2026-11-22T10:15:33.000Z' }],
      });
      expect(aws.sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).to.deep.equal({
        executionArn: aliceItem.executionArn,
      });
    });

    it("answers 404 for another user's photo (asking Step Functions nothing) and before there is an execution", async () => {
      aws.dynamo.on(GetCommand).resolves({ Item: aliceItem });
      expectError(await call(getPhotoExecution, 'get-photo-execution.json', { sub: BOB }), 404, 'NotFound');
      expect(aws.sfn.calls()).to.deep.equal([]);
      const { executionArn: _none, ...recorded } = aliceItem;
      aws.dynamo.on(GetCommand).resolves({ Item: recorded });
      expectError(await call(getPhotoExecution, 'get-photo-execution.json'), 404, 'NotFound');
    });
  });

  describe('DELETE /photos/{imageId} (DeletePhoto)', () => {
    it('deletes every version of the original and answers 202 DELETING', async () => {
      aws.dynamo.on(GetCommand).resolves({ Item: aliceItem });
      aws.s3.on(ListObjectVersionsCommand).resolves({
        Versions: [
          { Key: aliceItem.key, VersionId: 'v2', IsLatest: true },
          { Key: aliceItem.key, VersionId: 'v1', IsLatest: false },
        ],
      });
      aws.s3.on(DeleteObjectsCommand).resolves({});
      const answer = await call(deletePhoto, 'delete-photo.json');
      expect(answer.status).to.equal(202);
      expect(answer.json).to.deep.equal({ imageId: aliceItem.imageId, status: 'DELETING' });
      expect(aws.s3.commandCalls(ListObjectVersionsCommand)[0]?.args[0].input).to.deep.equal({
        Bucket: BUCKET,
        Prefix: aliceItem.key,
      });
      expect(aws.s3.commandCalls(DeleteObjectsCommand)[0]?.args[0].input.Delete?.Objects).to.deep.equal([
        { Key: aliceItem.key, VersionId: 'v2' },
        { Key: aliceItem.key, VersionId: 'v1' },
      ]);
    });

    it("answers 404 for another user's photo and touches nothing in S3", async () => {
      aws.dynamo.on(GetCommand).resolves({ Item: aliceItem });
      expectError(await call(deletePhoto, 'delete-photo.json', { sub: BOB }), 404, 'NotFound');
      expect(aws.s3.calls()).to.deep.equal([]);
    });
  });
});
