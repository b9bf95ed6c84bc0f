import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IMAGES, startTestStack, type TestStack } from '../support/test-stack';
import { getJson, postJson, uploadThroughApi, waitForTerminal, type ApiPhoto } from './support';

describe('web app API (/_app/api)', function () {
  this.timeout(60000);
  let test: TestStack;
  let app: string;

  before(async () => {
    test = await startTestStack();
    app = `${test.stack.endpoint}/_app/`;
  });
  after(async () => {
    await test?.stop();
  });

  it('serves the page, its script and its styles', async () => {
    const page = await fetch(app);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(await page.text()).to.include('<input id="files" type="file"');
    expect((await fetch(`${app}app.js`)).headers.get('content-type')).to.match(/^text\/javascript/);
    expect((await fetch(`${app}app.css`)).headers.get('content-type')).to.match(/^text\/css/);
    const bare = await fetch(`${test.stack.endpoint}/_app`, { redirect: 'manual' });
    expect(bare.status).to.equal(308);
    expect(bare.headers.get('location')).to.equal('/_app/');
  });

  it('uploads through presigned PUTs and lists the items newest first, by user and by album, with fetchable thumbnails', async () => {
    const astronaut = await uploadThroughApi(
      app,
      { user: 'web-user', album: 'space trip', fileName: 'astronaut.png', contentType: 'image/png' },
      readFileSync(path.join(IMAGES, 'skimage_astronaut.png')),
    );
    const cat = await uploadThroughApi(
      app,
      { user: 'web-user', fileName: 'cat.gif', contentType: 'image/gif' },
      readFileSync(path.join(IMAGES, 'generated_chelsea-cat.gif')),
    );
    expect(astronaut).to.equal('private/web-user/uploads/space trip/astronaut.png');
    expect(cat).to.equal('private/web-user/uploads/cat.gif');

    const [done, gif] = (await waitForTerminal(`${app}api/photos?user=web-user`, [astronaut, cat])) as [
      ApiPhoto,
      ApiPhoto,
    ];
    expect(done.status).to.equal('SUCCEEDED');
    expect(done.format).to.equal('PNG');
    expect([done.width, done.height]).to.deep.equal([512, 512]);
    expect(done.labels?.map((label) => label.name)).to.include('Person');
    expect(done.thumbnailUrl).to.be.a('string');
    const thumbnail = await fetch(done.thumbnailUrl as string);
    expect(thumbnail.status).to.equal(200);
    const bytes = Buffer.from(await thumbnail.arrayBuffer());
    expect(bytes.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');

    expect(gif.status).to.equal('UNSUPPORTED');
    expect(gif.error?.name).to.be.a('string').and.not.equal('');
    expect(gif.thumbnailUrl).to.equal(undefined);

    const all = await getJson<{ photos: ApiPhoto[] }>(`${app}api/photos?user=web-user`);
    const times = all.body.photos.map((photo) => (photo as unknown as { uploadedAt: string }).uploadedAt);
    expect(times).to.deep.equal([...times].sort().reverse());
    const inAlbum = await getJson<{ photos: ApiPhoto[] }>(
      `${app}api/photos?user=web-user&album=${encodeURIComponent('space trip')}`,
    );
    expect(inAlbum.body.photos.map((photo) => photo.key)).to.deep.equal([astronaut]);
    const albums = await getJson<{ albums: { name: string; count: number }[] }>(`${app}api/albums?user=web-user`);
    expect(albums.body.albums).to.deep.equal([{ name: 'space trip', count: 1 }]);
    const nobody = await getJson<{ photos: ApiPhoto[] }>(`${app}api/photos?user=nobody`);
    expect(nobody.body.photos).to.deep.equal([]);
  });

  for (const [title, body, message] of [
    [
      'a file name with /',
      { user: 'u', album: 'a', fileName: 'x/y.jpg', contentType: 'image/jpeg' },
      /fileName must not contain "\/"/,
    ],
    ['an empty user', { user: '', fileName: 'y.jpg', contentType: 'image/jpeg' }, /user is required/],
    ['an album of ..', { user: 'u', album: '..', fileName: 'y.jpg' }, /album must not be/],
    ['a body that is not JSON', '{not json', /must be JSON/],
  ] as const) {
    it(`answers 400 JSON to an upload with ${title}`, async () => {
      const answer = await postJson<{ error: string; message: string }>(`${app}api/uploads`, body);
      expect(answer.status).to.equal(400);
      expect(answer.contentType).to.match(/^application\/json/);
      expect(answer.body.error).to.equal('BadRequest');
      expect(answer.body.message).to.match(message);
    });
  }

  it('answers 400 JSON to a listing without a user, and 404 JSON to an unknown API path', async () => {
    const missing = await getJson<{ error: string; message: string }>(`${app}api/photos`);
    expect(missing.status).to.equal(400);
    expect(missing.body.message).to.match(/user is required/);
    const unknown = await getJson<{ error: string }>(`${app}api/nothing`);
    expect(unknown.status).to.equal(404);
  });
});
