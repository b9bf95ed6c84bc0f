import { expect } from 'chai';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler as createUpload } from '../../../functions/create-upload';
import { imageIdFor, parseUploadKey } from '../../../functions/lib/upload-key';
import { ALBUM_TABLE, AwsMocks, BUCKET } from '../../support/aws-mocks';
import { ALICE, BOB, call, expectError } from './api-helpers';
import { withEnv } from '../../support/helpers';

/** POST /uploads (CreateUpload) with its events/ fixture. */
describe('POST /uploads (CreateUpload)', () => {
  let aws: AwsMocks;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => {
    aws.reset();
    aws.dynamo
      .on(GetCommand)
      .resolves({ Item: { userId: ALICE, albumId: 'holidays', name: 'H', createdAt: '2026', photoCount: 0 } });
  });
  after(() => aws.restore());

  const policyOf = (fields: Record<string, string>) =>
    JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as { conditions: unknown[] };

  it('answers a presigned POST for exactly the caller key in the album, the content type and the size limit', async () => {
    const answer = await withEnv({ UPLOAD_MAX_BYTES: '1000000' }, () => call(createUpload, 'create-upload.json'));
    expect(answer.status).to.equal(201);
    const key = `private/${ALICE}/uploads/holidays/nikon-p6000_landscape_gps.jpg`;
    expect(answer.json).to.include({ key, imageId: imageIdFor(key), expiresIn: 300, maxBytes: 1000000 });
    expect(answer.json.url).to.equal(`https://${BUCKET}.s3.us-east-1.amazonaws.com/`);
    expect(answer.json.fields).to.include({ key, 'Content-Type': 'image/jpeg' });
    expect(policyOf(answer.json.fields).conditions).to.deep.include.members([
      { bucket: BUCKET },
      { key },
      ['eq', '$Content-Type', 'image/jpeg'],
      ['content-length-range', 1, 1000000],
    ]);
    expect(parseUploadKey(answer.json.key).userId).to.equal(ALICE);
    expect(aws.dynamo.commandCalls(GetCommand)[0]?.args[0].input).to.deep.include({
      TableName: ALBUM_TABLE,
      Key: { userId: ALICE, albumId: 'holidays' },
    });
  });

  it('puts an upload without an album in the caller root folder, whatever the body claims', async () => {
    const answer = await call(createUpload, 'create-upload.json', {
      sub: BOB,
      body: { fileName: 'x.png', contentType: 'image/png', size: 10 },
    });
    expect(answer.json.key).to.equal(`private/${BOB}/uploads/x.png`);
    expectError(
      await call(createUpload, 'create-upload.json', {
        body: { fileName: 'x.png', contentType: 'image/png', size: 10, key: `private/${BOB}/uploads/x.png` },
      }),
      400,
      'BadRequest',
    );
  });

  it('answers 404 for an album the caller does not have', async () => {
    aws.dynamo.on(GetCommand).resolves({});
    expectError(await call(createUpload, 'create-upload.json', { sub: BOB }), 404, 'NotFound');
    expect(aws.dynamo.commandCalls(GetCommand)[0]?.args[0].input.Key).to.deep.equal({
      userId: BOB,
      albumId: 'holidays',
    });
  });

  it('answers 413 over UploadMaxBytes and 400 for a bad name, type or size', async () => {
    const body = { fileName: 'x.jpg', contentType: 'image/jpeg', size: 10 };
    const refused = await withEnv({ UPLOAD_MAX_BYTES: '9' }, () => call(createUpload, 'create-upload.json', { body }));
    expectError(refused, 413, 'PayloadTooLarge');
    for (const bad of [
      { ...body, fileName: '../x.jpg' },
      { ...body, contentType: 'text/html' },
      { ...body, size: 0 },
      { ...body, size: '10' },
    ]) {
      expectError(await call(createUpload, 'create-upload.json', { body: bad }), 400, 'BadRequest');
    }
  });
});
