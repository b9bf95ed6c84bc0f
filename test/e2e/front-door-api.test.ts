import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import sinon from 'sinon';
import { decodeJwt } from 'jose';
import { imageIdFor } from '../../functions/lib/upload-key';
import { PROJECT_ROOT } from '../../local/template';
import { allStates, imageProcessingDefinition } from '../support/asl-definition';
import {
  frontDoorOf,
  postForm,
  refusedTokens,
  signIn,
  type ApiUser,
  type HttpApi,
  type Upload,
} from '../support/front-door-api';
import { IMAGES, startTestStack, type TestStack } from '../support/test-stack';

/**
 * The front door of template.yaml itself on a local stack (port 0), used as the web app and scripts use it: two
 * users signed in through the local provider's code + PKCE flow, every route of docs/api.md through /_api with their
 * access tokens, photos uploaded with the browser's multipart form to the presigned POST that POST /uploads gives,
 * processed by the real workflow once and reused by the tests below, which run in order (counts and deletes build
 * on what came before). UploadMaxBytes is overridden (1 MiB) so that an upload over it is small.
 */
const MAX_BYTES = 1024 * 1024;
const FIXTURES = {
  jpeg: { file: 'nikon-e950_field-gun.jpg', name: 'gun.jpg', type: 'image/jpeg' },
  png: { file: 'skimage_chelsea-cat.png', name: 'cat.png', type: 'image/png' },
  gif: { file: 'generated_chelsea-cat.gif', name: 'cat.gif', type: 'image/gif' },
  heic: { file: 'oiio_iphone7_small.heic', name: 'iphone.heic', type: 'image/heic' },
} as const;
type Fixture = (typeof FIXTURES)[keyof typeof FIXTURES];
const bytesOf = (fixture: Fixture) => readFileSync(path.join(IMAGES, fixture.file));
const fileOf = (fixture: Fixture, name: string = fixture.name) => ({
  bytes: bytesOf(fixture),
  name,
  type: fixture.type,
});
/** An album id and a photo id of the right shapes that nobody has. */
const MISSING_ALBUM = 'NoSuchAlbum00000';
const MISSING_PHOTO = imageIdFor('private/nobody/uploads/missing.jpg');
const run = promisify(execFile);

describe('the front door of template.yaml end to end (tokens, /_api, presigned POST, counts, cascade)', function () {
  this.timeout(240_000);
  let t: TestStack;
  let door: ReturnType<typeof frontDoorOf>;
  let api: HttpApi;
  let alice: ApiUser;
  let bob: ApiUser;
  let trip = '';
  let bobsAlbum = '';
  /** Alice's uploads (jpeg, png, gif, heic into Trip; loose outside any album) and bob's one photo. */
  const uploads: Record<'jpeg' | 'png' | 'gif' | 'heic' | 'loose' | 'bob', Upload> = {} as never;

  const outputs = () => Object.fromEntries(Object.entries(t.stack.model.outputs).map(([k, v]) => [k, v.value]));
  const upload = (user: ApiUser, fixture: Fixture, options: { albumId?: string; name?: string } = {}) =>
    door.upload(user, fileOf(fixture, options.name), options.albumId);
  /** The key of the thumbnail alice's Trip shows as its cover (its presigned URL's path), if any. */
  async function coverKey(): Promise<string | undefined> {
    const coverUrl = (await door.album(alice, trip))?.coverUrl;
    return coverUrl && decodeURIComponent(new URL(coverUrl).pathname).slice(`/${t.bucket}/`.length);
  }
  /** Bob's call with alice's id answers 404, exactly what it answers for an id nobody has. */
  const same = async (call: (id: string) => ReturnType<HttpApi>, hers: string, missing: string) => {
    const [theirs, nobodys] = [await call(hers), await call(missing)];
    expect(theirs.status).to.equal(404);
    expect(theirs.json).to.deep.equal(nobodys.json);
    expect(theirs.json.error).to.equal('NotFound');
  };
  const executionCount = async () =>
    (await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: t.stateMachineArn, maxResults: 1000 }))).executions
      ?.length;

  before(async () => {
    t = await startTestStack({ parameterOverrides: { UploadMaxBytes: String(MAX_BYTES) } });
    door = frontDoorOf(t);
    api = door.api;
    [alice, bob] = await Promise.all([signIn(t.stack.endpoint, 'alice'), signIn(t.stack.endpoint, 'bob')]);
    trip = (await api(alice, 'POST', '/albums', { name: 'Trip' })).json.albumId;
    bobsAlbum = (await api(bob, 'POST', '/albums', { name: 'Mine' })).json.albumId;
    for (const kind of ['jpeg', 'png', 'gif', 'heic'] as const)
      uploads[kind] = await upload(alice, FIXTURES[kind], { albumId: trip });
    uploads.loose = await upload(alice, FIXTURES.gif, { name: 'loose.gif' });
    uploads.bob = await upload(bob, FIXTURES.gif, { albumId: bobsAlbum, name: 'bob.gif' });
    await t.stack.idle();
  });
  after(async () => t?.stop());

  it('signs alice and bob in through the provider: access tokens of the stack issuer and app client, one sub each', () => {
    const { AuthIssuer, UserPoolClientId, HttpApiUrl } = outputs();
    expect(HttpApiUrl).to.equal(`http://localhost:${t.stack.port}/_api`);
    for (const user of [alice, bob])
      expect(decodeJwt(user.token)).to.include({ iss: AuthIssuer, client_id: UserPoolClientId, token_use: 'access' });
    expect(alice.sub).not.to.equal(bob.sub);
    expect(trip).to.match(/^[A-Za-z0-9_-]{16}$/);
  });

  describe('uploads through the presigned POST', () => {
    it('takes a JPEG and a PNG to SUCCEEDED with labels and a thumbnail; their URLs serve the original and the thumbnail', async () => {
      for (const kind of ['jpeg', 'png'] as const) {
        const view = await door.photo(alice, uploads[kind].imageId);
        expect(view, kind).to.include({
          imageId: uploads[kind].imageId,
          fileName: FIXTURES[kind].name,
          albumId: trip,
          status: 'SUCCEEDED',
          format: kind.toUpperCase(),
        });
        expect(view).not.to.have.any.keys('bucket', 'key', 'userId', 'sequencer', 'albumKey');
        expect(view.labels, kind).to.be.an('array').that.is.not.empty;
        for (const label of view.labels) expect(label.confidence).to.be.within(0, 100);
        const original = await fetch(view.originalUrl);
        expect(original.status).to.equal(200);
        expect(Buffer.from(await original.arrayBuffer()).equals(bytesOf(FIXTURES[kind])), kind).to.equal(true);
        const thumbnail = await fetch(view.thumbnailUrl);
        const format = String(view.thumbnail.format).toLowerCase();
        expect([thumbnail.status, thumbnail.headers.get('content-type')]).to.deep.equal([200, `image/${format}`]);
        const meta = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
        expect(meta).to.include({ format, width: view.thumbnail.width, height: view.thumbnail.height });
        expect(Math.max(meta.width as number, meta.height as number)).to.equal(250);
      }
      const cat = await door.photo(alice, uploads.png.imageId);
      expect(cat.labels.map((label: { name: string }) => label.name)).to.include('Cat');
    });

    it('ends a GIF UNSUPPORTED with its reason and no thumbnail, its original still served', async () => {
      const view = await door.photo(alice, uploads.gif.imageId);
      expect(view).to.include({ status: 'UNSUPPORTED', format: 'GIF' });
      expect(view.error).to.include({ name: 'NotSupportedImageType' });
      expect(view.error.message).to.include('GIF');
      expect(view).not.to.have.any.keys('thumbnail', 'thumbnailUrl', 'labels');
      expect((await fetch(view.originalUrl)).status).to.equal(200);
    });

    it("answers each photo's execution as a timeline whose steps are the states the execution entered, in order", async () => {
      const states = new Set(allStates(imageProcessingDefinition().definition).map((state) => state.name));
      // The GIF's execution ends in the Fail state that names its error, after its item was recorded UNSUPPORTED.
      const paths = {
        jpeg: { through: 'DetectLabels', status: 'SUCCEEDED' },
        heic: { through: 'ConvertImage', status: 'SUCCEEDED' },
        gif: { through: 'RecordUnsupported', status: 'FAILED' },
      } as const;
      for (const [kind, expected] of Object.entries(paths) as [keyof typeof paths, (typeof paths)['gif']][]) {
        const { executionArn } = await door.photo(alice, uploads[kind].imageId);
        const execution = await api(alice, 'GET', `/photos/${uploads[kind].imageId}/execution`);
        expect(execution.status).to.equal(200);
        expect(execution.json, kind).to.include({ executionArn, status: expected.status });
        const history = await t.history(executionArn);
        const entered = history
          .filter((event) => event.type?.endsWith('StateEntered'))
          .map((event) => event.stateEnteredEventDetails?.name);
        const steps = execution.json.steps as Record<string, string>[];
        expect(
          steps.map((step) => step.name),
          kind,
        ).to.deep.equal(entered);
        expect(entered).to.include(expected.through);
        for (const step of steps) {
          expect(states.has(step.name as string), step.name).to.equal(true);
          expect(Date.parse(step.stoppedAt as string)).to.be.at.least(Date.parse(step.startedAt as string));
        }
        const failed = history.find((event) => event.type === 'ExecutionFailed')?.executionFailedEventDetails;
        const last = steps.at(-1) as Record<string, string>;
        if (failed) expect(last).to.include({ status: 'FAILED', error: failed.error, cause: failed.cause });
        else expect(last.status, kind).to.equal('SUCCEEDED');
        for (const step of steps.slice(0, -1)) expect(step.status, `${kind} ${step.name}`).to.equal('SUCCEEDED');
      }
    });
  });

  describe('isolation: bob against alice', () => {
    it("never lists, renames or deletes alice's album: 404, exactly as for an album that does not exist", async () => {
      const bobs = (await api(bob, 'GET', '/albums')).json.albums as { albumId: string; name: string }[];
      expect(bobs.map((a) => [a.albumId, a.name])).to.deep.equal([[bobsAlbum, 'Mine']]);
      const hers = (await api(alice, 'GET', '/albums')).json.albums as { albumId: string }[];
      expect(hers.map((a) => a.albumId)).to.deep.equal([trip]);
      await same((id) => api(bob, 'PATCH', `/albums/${id}`, { name: 'Stolen' }), trip, MISSING_ALBUM);
      await same((id) => api(bob, 'DELETE', `/albums/${id}`), trip, MISSING_ALBUM);
      await same((id) => api(bob, 'GET', `/photos?albumId=${id}`), trip, MISSING_ALBUM);
      await same(
        (id) => api(bob, 'POST', '/uploads', { fileName: 'x.gif', contentType: 'image/gif', size: 10, albumId: id }),
        trip,
        MISSING_ALBUM,
      );
      expect(await door.album(alice, trip)).to.include({ name: 'Trip', photoCount: 4 });
    });

    it("never shows, explains or deletes alice's photo: 404 on every photo route, exactly as for a photo that does not exist", async () => {
      for (const kind of ['jpeg', 'gif'] as const) {
        const hers = uploads[kind].imageId;
        await same((id) => api(bob, 'GET', `/photos/${id}`), hers, MISSING_PHOTO);
        await same((id) => api(bob, 'GET', `/photos/${id}/execution`), hers, MISSING_PHOTO);
        await same((id) => api(bob, 'DELETE', `/photos/${id}`), hers, MISSING_PHOTO);
      }
      await t.stack.idle();
      expect(await door.exists(uploads.jpeg.key)).to.equal(true);
      expect(await door.photo(alice, uploads.jpeg.imageId)).to.include({ status: 'SUCCEEDED' });
    });

    it("lists only bob's photos, on every page, with or without alice's paging token", async () => {
      const bobs = await door.allPages(bob, 'limit=1');
      expect(bobs.photos.map((p) => p.imageId)).to.deep.equal([uploads.bob.imageId]);
      const hersFirst = await api(alice, 'GET', '/photos?limit=1');
      expect(hersFirst.json.next).to.be.a('string');
      const borrowed = await api(bob, 'GET', `/photos?limit=100&next=${encodeURIComponent(hersFirst.json.next)}`);
      // Her token is a position only: the partition is rebuilt from bob's own sub, so he reads his own photos.
      expect(borrowed.status).to.equal(200);
      const borrowedIds = borrowed.json.photos.map((p: { imageId: string }) => p.imageId);
      expect(borrowedIds.every((id: string) => id === uploads.bob.imageId)).to.equal(true);
      const albumPage = await api(alice, 'GET', `/photos?albumId=${trip}&limit=1`);
      const crossed = await api(bob, 'GET', `/photos?albumId=${bobsAlbum}&next=${albumPage.json.next}`);
      expect([crossed.status, crossed.json.error]).to.deep.equal([400, 'BadRequest']);
    });

    it('gives bob upload policies for his own folder only: names that would leave it are refused', async () => {
      for (const fileName of ['../x.gif', 'a/b.gif', '..', '.', '..\\x.gif', 'x\u0000.gif'])
        expect(
          (await api(bob, 'POST', '/uploads', { fileName, contentType: 'image/gif', size: 9 })).status,
          fileName,
        ).to.equal(400);
      for (const albumId of ['..', '.', `../../${alice.sub}/uploads`, ''])
        expect(
          (await api(bob, 'POST', '/uploads', { fileName: 'x.gif', contentType: 'image/gif', size: 9, albumId }))
            .status,
          albumId,
        ).to.equal(400);
      for (const fileName of ['%2e%2e%2fx.gif', '..gif', 'ünï cöde+1.gif', `${alice.sub}.gif`]) {
        const policy = await door.createUpload(bob, { fileName, contentType: 'image/gif', size: 9 });
        expect(policy.key).to.equal(`private/${bob.sub}/uploads/${fileName}`);
        expect(policy.fields.key).to.equal(policy.key);
      }
    });

    it("never lets bob's upload policy write under alice's prefix: each changed key is AccessDenied, her folder unchanged", async () => {
      const listing = async () =>
        (
          (await t.s3.send(new ListObjectsV2Command({ Bucket: t.bucket, Prefix: `private/${alice.sub}/` }))).Contents ??
          []
        ).map((object) => `${object.Key} ${object.ETag}`);
      const before = await listing();
      const policy = await door.createUpload(bob, { fileName: 'x.gif', contentType: 'image/gif', size: 200_000 });
      const hers = `private/${alice.sub}/uploads`;
      const attempts: [string, string][] = [
        [uploads.jpeg.key, 'x.gif'],
        [`${hers}/x.gif`, 'x.gif'],
        [`${hers}/${trip}/x.gif`, 'x.gif'],
        [`private/${bob.sub}/uploads/../../${alice.sub}/uploads/x.gif`, 'x.gif'],
        ['${filename}', `${hers}/x.gif`],
        [`private/${bob.sub}/uploads/\${filename}`, `../../${alice.sub}/uploads/x.gif`],
      ];
      for (const [key, name] of attempts) {
        const answer = await postForm(policy, fileOf(FIXTURES.gif, name), { ...policy.fields, key });
        expect([answer.status, answer.code], `${key} (${name})`).to.deep.equal([403, 'AccessDenied']);
      }
      await t.stack.idle();
      expect(await listing()).to.deep.equal(before);
      expect(await door.exists(policy.key), "bob's own key, untouched by a refused form").to.equal(false);
    });
  });

  describe('listings', () => {
    it("pages through alice's photos newest first, and through one album's with albumId", async () => {
      const all = await door.allPages(alice, 'limit=2');
      const aliceIds = (['jpeg', 'png', 'gif', 'heic', 'loose'] as const).map((kind) => uploads[kind].imageId);
      expect(all.photos.map((p) => p.imageId)).to.have.members(aliceIds);
      expect(all.sizes.slice(0, -1).every((size) => size === 2)).to.equal(true);
      const times = all.photos.map((p) => p.uploadedAt);
      expect(times).to.deep.equal([...times].sort().reverse());
      const inTrip = await door.allPages(alice, `albumId=${trip}&limit=1`);
      expect(inTrip.photos.map((p) => p.imageId)).to.have.members(aliceIds.slice(0, 4));
    });
  });

  describe('album counts', () => {
    it('counts each upload into the album once, shows its newest thumbnail as the cover, and bob his own', async () => {
      const hers = await door.album(alice, trip);
      expect(hers).to.include({ photoCount: 4 });
      // The newest by upload time; S3 events' times are whole seconds, so a tie goes to the last one processed.
      const shown = (await door.allPages(alice, `albumId=${trip}`)).photos.filter((p) => p.thumbnail);
      const newest = shown.reduce((latest, p) => (p.uploadedAt > latest ? p.uploadedAt : latest), '');
      const candidates = shown.filter((p) => p.uploadedAt === newest).map((p) => p.thumbnail?.key);
      expect(candidates).to.include(await coverKey());
      const cover = await fetch(hers?.coverUrl as string);
      expect(cover.status).to.equal(200);
      expect(cover.headers.get('content-type')).to.match(/^image\/(jpeg|png)$/);
      expect(await door.album(bob, bobsAlbum)).to.include({ photoCount: 1 });
    });

    it('counts a re-upload of the same file name once: the same imageId, processed again, now the cover', async () => {
      const { executionArn } = await door.photo(alice, uploads.jpeg.imageId);
      const again = await upload(alice, FIXTURES.jpeg, { albumId: trip });
      expect([again.imageId, again.key]).to.deep.equal([uploads.jpeg.imageId, uploads.jpeg.key]);
      await t.stack.idle();
      const view = await door.photo(alice, uploads.jpeg.imageId);
      expect(view.status).to.equal('SUCCEEDED');
      expect(view.executionArn).to.be.a('string').and.not.equal(executionArn);
      expect(await door.album(alice, trip)).to.include({ photoCount: 4 });
      expect((await door.allPages(alice, `albumId=${trip}`)).photos).to.have.lengthOf(4);
      expect(await coverKey(), 'the newest processed photo is the cover').to.equal(view.thumbnail.key);
    });

    it('counts a duplicate S3 event once: delivered again, it starts no execution and changes no count', async () => {
      const item = (await t.item(uploads.gif.key)) as { sequencer: string; executionArn: string };
      const executions = await executionCount();
      const outcomes = await door.redeliver('created', uploads.gif.key, item.sequencer);
      expect(outcomes.map((o) => [o.key, o.outcome])).to.deep.equal([[uploads.gif.key, 'duplicate']]);
      await t.stack.idle();
      expect(await executionCount()).to.equal(executions);
      expect(((await t.item(uploads.gif.key)) as { executionArn: string }).executionArn).to.equal(item.executionArn);
      expect(await door.album(alice, trip)).to.include({ photoCount: 4 });
    });

    it("makes albums of folders uploaded to outside the API: two users' folders of one name stay apart, ids percent-encoded", async () => {
      const folder = 'Ferien & Sommer+ü 100%';
      const id = encodeURIComponent(folder);
      for (const [user, file] of [
        [alice, 'hers.gif'],
        [bob, 'his.gif'],
      ] as const)
        await t.s3.send(
          new PutObjectCommand({
            Bucket: t.bucket,
            Key: `private/${user.sub}/uploads/${folder}/${file}`,
            Body: bytesOf(FIXTURES.gif),
          }),
        );
      await t.stack.idle();
      for (const [user, file] of [
        [alice, 'hers.gif'],
        [bob, 'his.gif'],
      ] as const) {
        expect(await door.album(user, folder), user.name).to.include({ name: folder, photoCount: 1 });
        const inFolder = await door.allPages(user, `albumId=${id}&limit=1`);
        expect(inFolder.photos.map((p) => p.fileName)).to.deep.equal([file]);
      }
      const renamed = await api(bob, 'PATCH', `/albums/${id}`, { name: ' Summer ' });
      expect([renamed.status, renamed.json]).to.deep.equal([
        200,
        { ...renamed.json, albumId: folder, name: 'Summer', photoCount: 1 },
      ]);
      expect(await door.album(alice, folder), 'her album keeps its name').to.include({ name: folder });
      expect((await api(bob, 'DELETE', `/albums/${id}`)).status).to.equal(409);
      const hers = await door.createUpload(alice, {
        fileName: 'web.gif',
        contentType: 'image/gif',
        size: 9,
        albumId: folder,
      });
      expect(hers.key).to.equal(`private/${alice.sub}/uploads/${folder}/web.gif`);
    });

    it('refuses to delete a non-empty album (409 AlbumNotEmpty) and deletes an empty one (204), which is then gone', async () => {
      const refused = await api(alice, 'DELETE', `/albums/${trip}`);
      expect([refused.status, refused.json.error]).to.deep.equal([409, 'AlbumNotEmpty']);
      expect(await door.album(alice, trip)).to.include({ photoCount: 4 });
      const empty = (await api(alice, 'POST', '/albums', { name: 'Empty' })).json.albumId;
      const deleted = await api(alice, 'DELETE', `/albums/${empty}`);
      expect([deleted.status, deleted.json]).to.deep.equal([204, undefined]);
      expect((await api(alice, 'DELETE', `/albums/${empty}`)).status).to.equal(404);
      expect(await door.album(alice, empty)).to.equal(undefined);
    });
  });

  describe('the delete cascade', () => {
    /** The keys a photo's item names: its original, thumbnail and rendition. */
    async function keysOf(kind: keyof typeof uploads) {
      const item = (await t.item(uploads[kind].key)) as {
        key: string;
        thumbnail?: { key: string };
        rendition?: { key: string };
      };
      return [item.key, item.thumbnail?.key, item.rendition?.key].filter((key): key is string => key !== undefined);
    }
    async function expectGone(kind: keyof typeof uploads, keys: string[], count: number) {
      for (const key of keys) expect(await door.exists(key), key).to.equal(false);
      const { imageId } = uploads[kind];
      for (const [method, route] of [
        ['GET', `/photos/${imageId}`],
        ['GET', `/photos/${imageId}/execution`],
        ['DELETE', `/photos/${imageId}`],
      ] as const)
        expect((await api(alice, method, route)).json, `${method} ${route}`).to.deep.include({ error: 'NotFound' });
      const listed = (await door.allPages(alice, 'limit=100')).photos.map((p) => p.imageId);
      expect(listed).not.to.include(imageId);
      expect(await door.album(alice, trip)).to.include({ photoCount: count });
      // The cover is the thumbnail of a photo still in the album, or none when none has one.
      const remaining = (await door.allPages(alice, `albumId=${trip}`)).photos as { thumbnail?: { key: string } }[];
      const thumbnails = remaining.flatMap((p) => (p.thumbnail ? [p.thumbnail.key] : []));
      if (thumbnails.length === 0) expect(await coverKey()).to.equal(undefined);
      else expect(thumbnails).to.include(await coverKey());
    }

    it('DELETE /photos/{id} removes the original, the thumbnail and the item; the count drops, the cover moves on', async () => {
      const keys = await keysOf('jpeg');
      expect(await coverKey()).to.equal(keys[1]);
      expect(keys).to.have.lengthOf(2);
      for (const key of keys) expect(await door.exists(key), key).to.equal(true);
      const answer = await api(alice, 'DELETE', `/photos/${uploads.jpeg.imageId}`);
      expect([answer.status, answer.json]).to.deep.equal([202, { imageId: uploads.jpeg.imageId, status: 'DELETING' }]);
      await t.stack.idle();
      await expectGone('jpeg', keys, 3);
    });

    it("removes a HEIC's JPEG rendition with its original, thumbnail and item", async () => {
      const keys = await keysOf('heic');
      expect(keys).to.have.lengthOf(3);
      expect(keys[2]).to.match(new RegExp(`^private/${alice.sub}/converted/`));
      for (const key of keys) expect(await door.exists(key), key).to.equal(true);
      expect((await api(alice, 'DELETE', `/photos/${uploads.heic.imageId}`)).status).to.equal(202);
      await t.stack.idle();
      await expectGone('heic', keys, 2);
    });

    it('cascades deletes made through the S3 API: DeleteObject (the console), DeleteObjects (the CLI), each counted once', async () => {
      const png = await keysOf('png');
      await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: uploads.png.key }));
      await t.stack.idle();
      await expectGone('png', png, 1);
      const tombstone = (await t.item(uploads.png.key)) as { sequencer: string };
      const outcomes = await door.redeliver('deleted', uploads.png.key, tombstone.sequencer);
      expect(outcomes.map((o) => [o.key, o.outcome])).to.deep.equal([[uploads.png.key, 'duplicate']]);
      await t.stack.idle();
      expect(await door.album(alice, trip), 'a duplicate delete event').to.include({ photoCount: 1 });
      const gif = await keysOf('gif');
      await t.s3.send(new DeleteObjectsCommand({ Bucket: t.bucket, Delete: { Objects: [{ Key: uploads.gif.key }] } }));
      await t.stack.idle();
      await expectGone('gif', gif, 0);
    });

    it('takes a photo uploaded again after its delete as new (counted again), then deletes the emptied album', async () => {
      const again = await upload(alice, FIXTURES.gif, { albumId: trip });
      expect(again.imageId).to.equal(uploads.gif.imageId);
      await t.stack.idle();
      expect(await door.photo(alice, again.imageId)).to.include({ status: 'UNSUPPORTED', fileName: FIXTURES.gif.name });
      expect(await door.album(alice, trip)).to.include({ photoCount: 1 });
      expect((await api(alice, 'DELETE', `/albums/${trip}`)).status).to.equal(409);
      expect((await api(alice, 'DELETE', `/photos/${again.imageId}`)).status).to.equal(202);
      await t.stack.idle();
      await expectGone('gif', [again.key], 0);
      expect((await api(alice, 'DELETE', `/albums/${trip}`)).status).to.equal(204);
      expect(await door.album(alice, trip)).to.equal(undefined);
    });
  });

  describe('refusals', () => {
    it('answers 401 for a missing, expired, forged or tampered token on real routes, and changes nothing', async () => {
      const bad = await refusedTokens(t.dataDir, alice.token, bob.sub);
      const albums = (await api(bob, 'GET', '/albums')).json;
      for (const authorization of [
        undefined,
        `Bearer ${bad.expired}`,
        `Bearer ${bad.forged}`,
        `Bearer ${bad.tampered}`,
        'Bearer nonsense',
      ]) {
        for (const [method, route, body] of [
          ['GET', '/photos'],
          ['POST', '/albums', { name: 'Forged' }],
          ['DELETE', `/photos/${uploads.bob.imageId}`],
        ] as const) {
          const answer = await api(authorization, method, route, body);
          expect([answer.status, answer.json], `${method} ${route} ${authorization}`).to.deep.equal([
            401,
            { message: 'Unauthorized' },
          ]);
        }
      }
      expect((await api(bob, 'GET', '/albums')).json).to.deep.equal(albums);
      expect(await door.photo(bob, uploads.bob.imageId)).to.include({ status: 'UNSUPPORTED' });
    });

    it('answers 403 to an id token, which the authorizer lets through', async () => {
      const answer = await api(`Bearer ${alice.idToken}`, 'GET', '/photos');
      expect([answer.status, answer.json.error]).to.deep.equal([403, 'Forbidden']);
    });

    it('answers 400 BadRequest with a sentence to bad input on each kind of route', async () => {
      const requests: [string, string, unknown?][] = [
        ['POST', '/albums', '{"name":'],
        ['POST', '/albums', { name: '   ' }],
        ['POST', '/albums', { name: 'x'.repeat(101) }],
        ['POST', '/albums', { title: 'Trip' }],
        ['PATCH', `/albums/${bobsAlbum}`, { name: 5 }],
        ['GET', '/photos?limit=0'],
        ['GET', '/photos?limit=abc'],
        ['GET', '/photos?next=garbage'],
        ['GET', '/photos/not-a-photo-id'],
        ['DELETE', '/photos/not-a-photo-id'],
        ['POST', '/uploads', { fileName: 'a.gif', contentType: 'text/html', size: 10 }],
        ['POST', '/uploads', { fileName: 'a.gif', contentType: 'image/gif', size: 0 }],
        ['POST', '/uploads', { fileName: 'a.gif', contentType: 'image/gif', size: '10' }],
        ['POST', '/uploads', { fileName: 'a.gif', contentType: 'image/gif' }],
      ];
      for (const [method, route, body] of requests) {
        const answer = await api(bob, method, route, body);
        expect([answer.status, answer.json.error], `${method} ${route} ${JSON.stringify(body)}`).to.deep.equal([
          400,
          'BadRequest',
        ]);
        expect(answer.json.message).to.be.a('string').and.not.be.empty;
      }
      expect(await door.album(bob, bobsAlbum)).to.include({ name: 'Mine' });
    });

    it('answers 413 PayloadTooLarge to an upload size over UploadMaxBytes, and signs one of exactly that size', async () => {
      const over = await api(bob, 'POST', '/uploads', {
        fileName: 'big.gif',
        contentType: 'image/gif',
        size: MAX_BYTES + 1,
      });
      expect([over.status, over.json.error]).to.deep.equal([413, 'PayloadTooLarge']);
      const body = { name: 'x', padding: ' '.repeat(16 * 1024) };
      const long = await api(bob, 'POST', '/albums', body);
      expect([long.status, long.json.error], 'a body over 16 KiB').to.deep.equal([413, 'PayloadTooLarge']);
      const policy = await door.createUpload(bob, { fileName: 'big.gif', contentType: 'image/gif', size: MAX_BYTES });
      expect(policy).to.include({ maxBytes: MAX_BYTES, expiresIn: 300 });
      const document = JSON.parse(Buffer.from(policy.fields.Policy as string, 'base64').toString('utf8'));
      expect(document.conditions).to.deep.include(['content-length-range', 1, MAX_BYTES]);
      expect(document.conditions).to.deep.include(['eq', '$Content-Type', 'image/gif']);
      expect(document.conditions).to.deep.include({ key: policy.key });
    });
  });

  describe('S3 refusing a presigned POST', () => {
    it('refuses a file over the size (EntityTooLarge), a key outside the caller prefix and a changed content type (AccessDenied), storing nothing', async () => {
      const policy = await door.createUpload(alice, { fileName: 'refused.png', contentType: 'image/png', size: 1000 });
      const file = fileOf(FIXTURES.png, 'refused.png');
      const tooLarge = await postForm(policy, { ...file, bytes: new Uint8Array(MAX_BYTES + 1) });
      expect([tooLarge.status, tooLarge.code]).to.deep.equal([400, 'EntityTooLarge']);
      const outside = [
        `private/${bob.sub}/uploads/refused.png`,
        'refused.png',
        `private/${alice.sub}/resized/refused.png`,
      ];
      for (const key of outside) {
        const answer = await postForm(policy, file, { ...policy.fields, key });
        expect([answer.status, answer.code], key).to.deep.equal([403, 'AccessDenied']);
      }
      for (const type of ['text/html', 'image/jpeg', 'image/svg+xml']) {
        const answer = await postForm(policy, { ...file, type }, { ...policy.fields, 'Content-Type': type });
        expect([answer.status, answer.code], type).to.deep.equal([403, 'AccessDenied']);
      }
      await t.stack.idle();
      for (const key of [policy.key, ...outside]) expect(await door.exists(key), key).to.equal(false);
      expect((await api(alice, 'GET', `/photos/${policy.imageId}`)).status).to.equal(404);
    });

    it('stores the Content-Type the policy allowed when the form sends another one after it', async () => {
      for (const again of ['Content-Type', 'content-type']) {
        const name = `twice-${again}.gif`;
        const policy = await door.createUpload(alice, { fileName: name, contentType: 'image/gif', size: 200_000 });
        const fields: [string, string][] = [...Object.entries(policy.fields), [again, 'text/html']];
        const answer = await postForm(policy, fileOf(FIXTURES.gif, name), fields);
        expect(answer.status, answer.text).to.equal(204);
        const head = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: policy.key }));
        expect(head.ContentType, again).to.equal('image/gif');
      }
      await t.stack.idle();
    });

    it('refuses an expired policy (AccessDenied), the same form it took while the policy was valid', async () => {
      const policy = await door.createUpload(alice, { fileName: 'late.gif', contentType: 'image/gif', size: 200_000 });
      const clock = sinon.useFakeTimers({
        now: Date.now() + (policy.expiresIn + 1) * 1000,
        toFake: ['Date'],
        shouldAdvanceTime: true,
      });
      let late;
      try {
        late = await postForm(policy, fileOf(FIXTURES.gif, 'late.gif'));
      } finally {
        clock.restore();
      }
      expect([late.status, late.code]).to.deep.equal([403, 'AccessDenied']);
      expect(late.text).to.include('Policy expired');
      expect(await door.exists(policy.key)).to.equal(false);
      expect((await postForm(policy, fileOf(FIXTURES.gif, 'late.gif'))).status).to.equal(204);
      await t.stack.idle();
      expect(await door.photo(alice, policy.imageId)).to.include({ status: 'UNSUPPORTED', fileName: 'late.gif' });
    });
  });

  describe('curl and npm run token', () => {
    it('answers curl without a token 401, and with a token from npm run -s token 200 JSON of alice photos', async () => {
      const base = `localhost:${t.stack.port}`;
      const curl = async (command: string) => {
        const { stdout } = await run('bash', ['-c', `${command} -s -w '\\n%{http_code}' ${base}/_api/photos`], {
          cwd: PROJECT_ROOT,
          timeout: 120_000,
        });
        const [body = '', status] = [
          stdout.slice(0, stdout.lastIndexOf('\n')),
          stdout.slice(stdout.lastIndexOf('\n') + 1),
        ];
        return { status: Number(status), json: JSON.parse(body) };
      };
      expect(await curl('curl')).to.deep.equal({ status: 401, json: { message: 'Unauthorized' } });
      const signed = await curl(
        `curl -H "Authorization: Bearer $(npm run -s token -- --user alice --endpoint http://${base})"`,
      );
      expect(signed.status).to.equal(200);
      const ids = signed.json.photos.map((p: { imageId: string }) => p.imageId);
      expect(ids).to.include(uploads.loose.imageId).and.not.include(uploads.bob.imageId);
      const listed = (await api(alice, 'GET', '/photos')).json.photos.map((p: { imageId: string }) => p.imageId);
      expect(ids, "the CLI's token is alice's").to.deep.equal(listed);
    });
  });
});
