import { expect } from 'chai';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as createAlbum } from '../../../functions/create-album';
import { handler as deleteAlbum } from '../../../functions/delete-album';
import { handler as listAlbums } from '../../../functions/list-albums';
import { handler as renameAlbum } from '../../../functions/rename-album';
import { ALBUM_TABLE, AwsMocks, BUCKET } from '../../support/aws-mocks';
import { ALICE, BOB, call, expectError } from './api-helpers';

/** The album routes with their events/ fixtures, DynamoDB mocked at the SDK. */
describe('album routes', () => {
  let aws: AwsMocks;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
  const album = (albumId: string, createdAt: string, extra: Record<string, unknown> = {}) => ({
    userId: ALICE,
    albumId,
    name: `Album ${albumId}`,
    createdAt,
    photoCount: 2,
    ...extra,
  });

  describe('GET /albums (ListAlbums)', () => {
    it("answers the caller's albums newest first, with counts and a presigned cover URL", async () => {
      const cover = {
        imageId: 'i',
        thumbnailKey: `private/${ALICE}/resized/b/x.jpg`,
        uploadedAt: '2026-11-22T10:00:00.000Z',
      };
      aws.dynamo.on(QueryCommand).resolves({
        Items: [album('a', '2026-01-01T00:00:00.000Z'), album('b', '2026-02-01T00:00:00.000Z', { cover })],
      });
      const answer = await call(listAlbums, 'list-albums.json');
      expect(answer.status).to.equal(200);
      expect(answer.json.albums.map((a: { albumId: string }) => a.albumId)).to.deep.equal(['b', 'a']);
      expect(answer.json.albums[1]).to.deep.equal({
        albumId: 'a',
        name: 'Album a',
        createdAt: '2026-01-01T00:00:00.000Z',
        photoCount: 2,
      });
      const coverUrl = new URL(answer.json.albums[0].coverUrl);
      expect(coverUrl.hostname).to.equal(`${BUCKET}.s3.us-east-1.amazonaws.com`);
      expect(decodeURIComponent(coverUrl.pathname)).to.equal(`/${cover.thumbnailKey}`);
      expect(coverUrl.searchParams.get('X-Amz-Expires')).to.equal('900');
      const query = aws.dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
      expect(query).to.deep.include({ TableName: ALBUM_TABLE, ExpressionAttributeValues: { ':userId': ALICE } });
    });

    it('reads the partition of the token subject, never of a query parameter', async () => {
      aws.dynamo.on(QueryCommand).resolves({ Items: [] });
      expect((await call(listAlbums, 'list-albums.json', { sub: BOB })).json).to.deep.equal({ albums: [] });
      expect(aws.dynamo.commandCalls(QueryCommand)[0]?.args[0].input.ExpressionAttributeValues).to.deep.equal({
        ':userId': BOB,
      });
      expectError(await call(listAlbums, 'list-albums.json', { query: { userId: ALICE } }), 400, 'BadRequest');
    });
  });

  describe('POST /albums (CreateAlbum)', () => {
    it('creates an empty album of the caller with a new URL-safe id and the trimmed name', async () => {
      const answer = await call(createAlbum, 'create-album.json', { body: { name: '  Holidays 2026 ' } });
      expect(answer.status).to.equal(201);
      expect(answer.json).to.include({ name: 'Holidays 2026', photoCount: 0 });
      expect(answer.json.albumId).to.match(/^[A-Za-z0-9_-]{16}$/);
      const put = aws.dynamo.commandCalls(PutCommand)[0]?.args[0].input;
      expect(put?.TableName).to.equal(ALBUM_TABLE);
      expect(put?.Item).to.deep.include({ userId: ALICE, albumId: answer.json.albumId, photoCount: 0 });
      expect(put?.ConditionExpression).to.equal('attribute_not_exists(albumId)');
    });

    it('refuses a missing or bad name, a body that is not JSON, and any field besides name (400)', async () => {
      for (const body of [
        {},
        { name: '' },
        { name: 'x'.repeat(101) },
        { name: 5 },
        '{"name":',
        { name: 'a', userId: BOB },
      ]) {
        expectError(await call(createAlbum, 'create-album.json', { body }), 400, 'BadRequest');
      }
      expect(aws.dynamo.commandCalls(PutCommand)).to.deep.equal([]);
    });
  });

  describe('PATCH /albums/{albumId} (RenameAlbum)', () => {
    it("renames the caller's album and answers it", async () => {
      aws.dynamo
        .on(UpdateCommand)
        .resolves({ Attributes: album('holidays', '2026-01-01T00:00:00.000Z', { name: 'Summer in Tuscany' }) });
      const answer = await call(renameAlbum, 'rename-album.json');
      expect(answer.status).to.equal(200);
      expect(answer.json).to.deep.include({ albumId: 'holidays', name: 'Summer in Tuscany', photoCount: 2 });
      const update = aws.dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(update).to.deep.include({ TableName: ALBUM_TABLE, Key: { userId: ALICE, albumId: 'holidays' } });
      expect(update?.ExpressionAttributeValues).to.deep.equal({ ':name': 'Summer in Tuscany' });
    });

    it("answers 404 for an album that is not the caller's (the key holds the caller), 400 for bad input", async () => {
      aws.dynamo.on(UpdateCommand).rejects(conditionFailed());
      expectError(await call(renameAlbum, 'rename-album.json', { sub: BOB }), 404, 'NotFound');
      expect(aws.dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.Key).to.deep.equal({
        userId: BOB,
        albumId: 'holidays',
      });
      expectError(await call(renameAlbum, 'rename-album.json', { body: { name: '\n' } }), 400, 'BadRequest');
      expectError(
        await call(renameAlbum, 'rename-album.json', { pathParameters: { albumId: '..' } }),
        400,
        'BadRequest',
      );
    });
  });

  describe('DELETE /albums/{albumId} (DeleteAlbum)', () => {
    it('deletes an empty album: 204 and no body', async () => {
      const answer = await call(deleteAlbum, 'delete-album.json');
      expect(answer).to.deep.include({ status: 204, json: undefined });
      expect(aws.dynamo.commandCalls(DeleteCommand)[0]?.args[0].input.Key).to.deep.equal({
        userId: ALICE,
        albumId: 'holidays',
      });
    });

    it('refuses a non-empty album with 409 AlbumNotEmpty and answers 404 for a missing one', async () => {
      aws.dynamo.on(DeleteCommand).rejects(conditionFailed());
      aws.dynamo
        .on(GetCommand)
        .resolvesOnce({ Item: album('holidays', '2026') })
        .resolvesOnce({});
      const refused = await call(deleteAlbum, 'delete-album.json');
      expectError(refused, 409, 'AlbumNotEmpty');
      expect(refused.json.message).to.match(/2 photo/);
      expectError(await call(deleteAlbum, 'delete-album.json', { sub: BOB }), 404, 'NotFound');
    });
  });
});
