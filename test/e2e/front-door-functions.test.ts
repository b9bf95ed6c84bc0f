import { expect } from 'chai';
import { DeleteObjectsCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IMAGES, rejection, startTestStack, type TestStack } from '../support/test-stack';
import { sigv4Headers } from './support/signed';
import { PROJECT_ROOT } from '../../local/template';

/**
 * The API functions on the local stack, invoked through its Lambda API with payload format 2.0 events carrying two
 * users' claims (the HTTP API, its authorizer and tokens are the local-auth side): real DynamoDB with transactions,
 * S3 with deletes that send events, the state machine and the delete cascade.
 */
const ALICE = '7c4e2b9a-1d3f-4a8e-9b6c-5f0e1a2d3c4b';
const BOB = '0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f';

interface Answer {
  status: number;
  json: any;
}

describe('the front door functions on the local stack', function () {
  this.timeout(180_000);
  let t: TestStack;

  before(async () => {
    t = await startTestStack();
  });
  after(async () => t?.stop());

  /** Invokes a route's function with its events/ fixture as `sub`, with the path, query and body given. */
  async function api(
    fixture: string,
    sub: string,
    options: { pathParameters?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
  ): Promise<Answer> {
    const event = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'events', fixture), 'utf8'));
    event.requestContext.authorizer.jwt.claims.sub = sub;
    event.pathParameters = options.pathParameters;
    event.queryStringParameters = options.query;
    event.body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const functionName = fixture.replace('.json', '').replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
    const response = await fetch(`${t.stack.endpoint}/2015-03-31/functions/${functionName}/invocations`, {
      method: 'POST',
      headers: sigv4Headers('lambda'),
      body: JSON.stringify(event),
    });
    expect(response.headers.get('x-amz-function-error'), await response.clone().text()).to.equal(null);
    const result = (await response.json()) as { statusCode: number; body?: string };
    return { status: result.statusCode, json: result.body ? JSON.parse(result.body) : undefined };
  }
  const photoBytes = (file: string) => readFileSync(path.join(IMAGES, file));
  const put = async (key: string, file: string) => {
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: photoBytes(file) }));
  };
  const exists = (key: string) =>
    t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key })).then(
      () => true,
      () => false,
    );

  let albumId = '';
  let jpeg: { imageId: string; key: string } = { imageId: '', key: '' };

  it('creates an album, gives a presigned POST into it, and the upload through it is processed and counted', async () => {
    const album = await api('create-album.json', ALICE, { body: { name: 'Trip' } });
    expect(album.status).to.equal(201);
    albumId = album.json.albumId;
    const upload = await api('create-upload.json', ALICE, {
      body: { fileName: 'castle.jpg', contentType: 'image/jpeg', size: 161713, albumId },
    });
    expect(upload.status).to.equal(201);
    expect(upload.json.key).to.equal(`private/${ALICE}/uploads/${albumId}/castle.jpg`);
    jpeg = { imageId: upload.json.imageId, key: upload.json.key };
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.json.fields as Record<string, string>)) form.append(name, value);
    form.append('file', new Blob([photoBytes('nikon-p6000_landscape_gps.jpg')], { type: 'image/jpeg' }), 'castle.jpg');
    const posted = await fetch(upload.json.url, { method: 'POST', body: form });
    expect(posted.status, await posted.text()).to.be.oneOf([200, 201, 204]);
    await t.stack.idle();

    const photos = await api('list-photos.json', ALICE, { query: { albumId } });
    expect(photos.json.photos.map((p: { imageId: string; status: string }) => [p.imageId, p.status])).to.deep.equal([
      [jpeg.imageId, 'SUCCEEDED'],
    ]);
    const thumbnail = await fetch(photos.json.photos[0].thumbnailUrl);
    expect(thumbnail.status).to.equal(200);
    expect(
      Buffer.from(await thumbnail.arrayBuffer())
        .subarray(0, 2)
        .toString('hex'),
    ).to.equal('ffd8');
    const albums = await api('list-albums.json', ALICE);
    expect(albums.json.albums).to.have.lengthOf(1);
    expect(albums.json.albums[0]).to.include({ albumId, name: 'Trip', photoCount: 1 });
    expect((await fetch(albums.json.albums[0].coverUrl)).status, 'the cover is the new thumbnail').to.equal(200);
  });

  it('counts a re-upload of the same key once', async () => {
    await put(jpeg.key, 'nikon-p6000_landscape_gps.jpg');
    await t.stack.idle();
    expect((await api('list-albums.json', ALICE)).json.albums[0]).to.include({ photoCount: 1 });
  });

  it('answers the execution with every step SUCCEEDED, in order', async () => {
    const execution = await api('get-photo-execution.json', ALICE, { pathParameters: { imageId: jpeg.imageId } });
    expect(execution.status).to.equal(200);
    expect(execution.json.status).to.equal('SUCCEEDED');
    const steps = execution.json.steps as { name: string; status: string }[];
    expect(steps[0]?.name).to.equal('ExtractImageMetadata');
    expect(steps.at(-1)?.name).to.equal('Processed');
    expect(new Set(steps.map((s) => s.status))).to.deep.equal(new Set(['SUCCEEDED']));
  });

  it("answers 404 to bob on every route that names alice's photo or album, and shows him nothing", async () => {
    const photo = { pathParameters: { imageId: jpeg.imageId } };
    const album = { pathParameters: { albumId } };
    expect((await api('get-photo.json', BOB, photo)).status).to.equal(404);
    expect((await api('get-photo-execution.json', BOB, photo)).status).to.equal(404);
    expect((await api('delete-photo.json', BOB, photo)).status).to.equal(404);
    expect((await api('rename-album.json', BOB, { ...album, body: { name: 'Mine' } })).status).to.equal(404);
    expect((await api('delete-album.json', BOB, album)).status).to.equal(404);
    expect((await api('list-photos.json', BOB, { query: { albumId } })).status).to.equal(404);
    expect(
      (
        await api('create-upload.json', BOB, {
          body: { fileName: 'x.jpg', contentType: 'image/jpeg', size: 5, albumId },
        })
      ).status,
    ).to.equal(404);
    expect((await api('list-albums.json', BOB)).json).to.deep.equal({ albums: [] });
    expect((await api('list-photos.json', BOB)).json).to.deep.equal({ photos: [] });
    expect(await exists(jpeg.key), 'the photo is still there').to.equal(true);
    expect((await api('list-albums.json', ALICE)).json.albums[0]).to.include({ name: 'Trip', photoCount: 1 });
  });

  it('pages through all of a user photos newest first; bob cannot page into them with her token', async () => {
    for (const n of [1, 2, 3, 4]) await put(`private/${ALICE}/uploads/cat-${n}.gif`, 'generated_chelsea-cat.gif');
    await t.stack.idle();
    const seen: string[] = [];
    let next: string | undefined;
    let first: string | undefined;
    do {
      const page = await api('list-photos.json', ALICE, { query: { limit: '2', ...(next ? { next } : {}) } });
      expect(page.status).to.equal(200);
      expect(page.json.photos.length).to.be.at.most(2);
      seen.push(...page.json.photos.map((p: { fileName: string }) => p.fileName));
      next = page.json.next;
      first ??= next;
    } while (next);
    expect(seen).to.have.lengthOf(5);
    expect(new Set(seen)).to.deep.equal(new Set(['castle.jpg', 'cat-1.gif', 'cat-2.gif', 'cat-3.gif', 'cat-4.gif']));
    const stolen = await api('list-photos.json', BOB, { query: { limit: '2', next: first as string } });
    expect(stolen.json.photos).to.deep.equal([]);
    expect((await api('list-photos.json', ALICE, { query: { next: 'garbage' } })).status).to.equal(400);
  });

  it('refuses to delete a non-empty album (409)', async () => {
    const refused = await api('delete-album.json', ALICE, { pathParameters: { albumId } });
    expect(refused.status).to.equal(409);
    expect(refused.json.error).to.equal('AlbumNotEmpty');
  });

  it('deletes a photo: every version of the original, then the cascade removes thumbnail and item, counts down, drops the cover', async () => {
    const deleted = await api('delete-photo.json', ALICE, { pathParameters: { imageId: jpeg.imageId } });
    expect(deleted).to.deep.equal({ status: 202, json: { imageId: jpeg.imageId, status: 'DELETING' } });
    await t.stack.idle();
    expect(await exists(jpeg.key)).to.equal(false);
    expect(await exists(jpeg.key.replace('/uploads/', '/resized/'))).to.equal(false);
    expect((await api('get-photo.json', ALICE, { pathParameters: { imageId: jpeg.imageId } })).status).to.equal(404);
    const album = (await api('list-albums.json', ALICE)).json.albums[0];
    expect(album).to.include({ photoCount: 0 }).and.not.have.property('coverUrl');
    expect((await api('delete-album.json', ALICE, { pathParameters: { albumId } })).status).to.equal(204);
    expect((await api('list-albums.json', ALICE)).json.albums).to.deep.equal([]);
  });

  it('cascades a delete made outside the API (DeleteObjects, as the CLI and the console do)', async () => {
    await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: t.bucket,
        Delete: { Objects: [{ Key: `private/${ALICE}/uploads/cat-1.gif` }] },
      }),
    );
    await t.stack.idle();
    const names = (await api('list-photos.json', ALICE)).json.photos.map((p: { fileName: string }) => p.fileName);
    expect(names).to.have.members(['cat-2.gif', 'cat-3.gif', 'cat-4.gif']);
    expect(
      await rejection(
        t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: `private/${ALICE}/uploads/cat-1.gif` })),
      ),
    ).to.have.property('name', 'NotFound');
  });
});
