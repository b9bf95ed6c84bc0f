import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { silentLog } from '../../local/log';
import { loadStackModel } from '../../local/stack-model';
import { createWebApp } from '../../local/web/web-app';
import type { Execution, Photo } from '../../web/src/api/types';
import { IMAGES } from '../support/test-stack';
import { launchChromium, type Chromium } from './support/chromium';
import { installFakeBackend, type FakeBackend } from './support/fake-backend';

/**
 * The pages in Chromium, served by the local web app server, with the API and the sign-in provider answered from
 * memory (support/fake-backend.ts): the states a real stack rarely shows on demand (a flagged photo, face boxes, a
 * 409, an expired session) and the narrow screen. browser.test.ts runs the whole flow against a real stack.
 */
describe('web pages in Chromium (API answered in the browser)', function () {
  this.timeout(60000);
  let server: http.Server;
  let base: string;
  let chromium: Chromium;

  before(async function () {
    chromium = await launchChromium(this);
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const model = loadStackModel({
      identity: {
        region: 'us-east-1',
        accountId: '000000000000',
        stackName: 'local',
        endpoint: `http://127.0.0.1:${port}`,
      },
    });
    const app = createWebApp({ model, log: silentLog() });
    server.on('request', (req, res) => app.handle(req, res));
    base = `http://localhost:${port}`;
  });
  after(async () => {
    await chromium?.close();
    server?.close();
  });

  async function signedIn(width = 1100): Promise<{ page: Page; backend: FakeBackend }> {
    const backend = await installFakeBackend(chromium.context, base);
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`${base}/_app/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Albums', level: 1 }).waitFor();
    return { page, backend };
  }

  afterEach(async () => {
    await chromium.context.unrouteAll({ behavior: 'ignoreErrors' });
    for (const page of chromium.context.pages()) await page.close();
  });

  it('signs in with the code flow, creates an album and says why a non-empty album is not deleted', async () => {
    const { page, backend } = await signedIn();
    expect(await page.locator('header').innerText()).to.include('alice@example.com');
    // The page's heading has the focus; the form works from the keyboard alone.
    expect(await page.evaluate('document.activeElement.tagName')).to.equal('H1');
    await page.getByLabel('New album').focus();
    await page.keyboard.type('Holidays');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Holidays' }).waitFor();
    expect(await page.locator('.album').innerText()).to.include('0 photos');
    (backend.albums[0] as { photoCount: number }).photoCount = 2;
    await page.getByRole('button', { name: 'Delete Holidays' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete album' }).click();
    const alert = page.locator('.album [role="alert"]');
    expect(await alert.innerText()).to.equal('This album still holds photos: delete them first, then the album.');
    expect(backend.requests).to.include('DELETE /albums/album-1');
    expect(chromium.problems).to.deep.equal([]);
  });

  it('refuses a non-image before sending, uploads an image with progress and polls until it is done', async () => {
    const { page, backend } = await signedIn();
    await page.goto(`${base}/_app/#/photos`);
    await page.getByRole('heading', { name: 'All photos' }).waitFor();
    await page
      .getByLabel('Choose photos')
      .setInputFiles([path.join(IMAGES, 'README.md'), path.join(IMAGES, 'skimage_astronaut.png')]);
    const refused = page.locator('.upload-row', { hasText: 'README.md' });
    expect(await refused.locator('.upload-message').innerText()).to.match(/README.md is not an image/);
    const sent = page.locator('.upload-row', { hasText: 'skimage_astronaut.png' });
    await sent.locator('.upload-message', { hasText: /^Sent$/ }).waitFor();
    expect(await sent.locator('progress').getAttribute('value')).to.equal('100');
    const card = page.locator('.photo-card', { hasText: 'skimage_astronaut.png' });
    await card.locator('.badge', { hasText: 'Processing' }).waitFor();
    await card.locator('.badge', { hasText: 'Done' }).waitFor();
    expect(await card.innerText()).to.include('Person');
    expect(backend.requests.filter((request) => request.startsWith('POST /uploads'))).to.have.length(1);
    // Every photo is terminal: polling has stopped.
    const polls = backend.requests.length;
    await page.waitForTimeout(2500);
    expect(backend.requests.length).to.equal(polls);
    expect(chromium.problems).to.deep.equal([]);
  });

  it('shows a flagged photo blurred until asked, with face boxes, metadata, map link and timeline', async () => {
    const { page, backend } = await signedIn();
    backend.photos.push(flaggedPhoto(base));
    backend.executions.set('image-9', execution());
    await page.goto(`${base}/_app/#/photos/image-9`);
    await page.getByRole('heading', { name: 'skimage_astronaut.png', level: 1 }).waitFor();
    const main = page.locator('.photo-main');
    expect(await main.locator('img').getAttribute('class')).to.equal('blurred');
    expect(await main.locator('.face-box').count()).to.equal(0);
    await main.getByRole('button', { name: 'Show photo' }).first().click();
    expect(await main.locator('img').getAttribute('class')).to.equal(null);
    expect(await main.locator('.face-box').count()).to.equal(2);
    expect(await page.locator('ol.faces li').allInnerTexts()).to.deep.equal([
      'Face 1, 35–45 years, calm, 99.9% sure',
      'Face 2, smiling, 87.5% sure',
    ]);
    const table = await page.locator('table.metadata').innerText();
    expect(table)
      .to.match(/Camera\s+NIKON COOLPIX P6000/)
      .and.match(/Exposure\s+1\/250 s, ƒ\/4.5, ISO 64/);
    expect(await page.getByRole('link', { name: /OpenStreetMap/ }).getAttribute('href')).to.include('mlat=43.46716');
    expect(await page.getByRole('meter', { name: 'Person confidence' }).getAttribute('value')).to.equal('99.2');
    const steps = await page.locator('.timeline li').allInnerTexts();
    expect(steps.map((step) => step.replace(/\s+/g, ' '))).to.deep.equal([
      'ExtractImageMetadata succeeded 120 ms',
      'DetectLabels succeeded 1.30 s',
    ]);
    expect(await page.getByRole('link', { name: /Step Functions console/ }).count()).to.equal(0);
    expect(chromium.problems).to.deep.equal([]);
  });

  it('deletes a photo after confirmation, and asks to sign in again after a 401', async () => {
    const { page, backend } = await signedIn();
    backend.photos.push(flaggedPhoto(base));
    await page.goto(`${base}/_app/#/photos/image-9`);
    await page.getByRole('button', { name: 'Delete photo' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(backend.requests).not.to.include('DELETE /photos/image-9');
    await page.getByRole('button', { name: 'Delete photo' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete photo' }).click();
    await page.getByRole('heading', { name: 'skimage_astronaut.png is being deleted' }).waitFor();
    backend.expireSession();
    await page.getByRole('link', { name: 'Back to the album' }).click();
    await page.getByRole('alert').filter({ hasText: 'Your session has ended.' }).waitFor();
    await page.getByRole('button', { name: 'Sign in again' }).waitFor();
  });

  it('fits a 375 px wide screen without sideways scrolling', async () => {
    const { page, backend } = await signedIn(375);
    backend.albums.push({ albumId: 'a', name: 'A rather long album name for a phone', createdAt: '', photoCount: 1 });
    backend.photos.push(flaggedPhoto(base));
    backend.executions.set('image-9', execution());
    for (const hash of ['#/albums', '#/albums/a', '#/photos/image-9']) {
      await page.goto(`${base}/_app/${hash}`);
      await page.locator('h1').waitFor();
      await page.waitForLoadState('networkidle');
      const width = await page.evaluate('document.documentElement.scrollWidth');
      expect(width, hash).to.be.at.most(375);
    }
  });
});

function flaggedPhoto(base: string): Photo {
  return {
    imageId: 'image-9',
    fileName: 'skimage_astronaut.png',
    albumId: 'a',
    status: 'SUCCEEDED',
    uploadedAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:02.000Z',
    format: 'PNG',
    width: 512,
    height: 512,
    sizeBytes: 263000,
    exif: { make: 'NIKON', model: 'COOLPIX P6000', exposureTime: 0.004, fNumber: 4.5, iso: 64 },
    gps: { latitude: 43.467157, longitude: 11.885395 },
    labels: [{ name: 'Person', confidence: 99.2, parents: [] }],
    faces: {
      count: 2,
      detected: true,
      details: [
        {
          boundingBox: { left: 0.4, top: 0.1, width: 0.2, height: 0.25 },
          confidence: 99.9,
          ageRange: { low: 35, high: 45 },
          emotion: { type: 'CALM', confidence: 90 },
        },
        {
          boundingBox: { left: 0.05, top: 0.5, width: 0.1, height: 0.1 },
          confidence: 87.5,
          smile: { value: true, confidence: 80 },
        },
      ],
    },
    moderation: { flagged: true, labels: [{ name: 'Suggestive', parentName: '', confidence: 81 }] },
    thumbnailUrl: `${base}/_storage/thumb/skimage_astronaut.png`,
    // Sent by the API on AWS only; config.json decides whether the page shows it (not on the local stack).
    executionConsoleUrl: 'https://us-east-1.console.aws.amazon.com/states/home',
    thumbnail: { key: 'k', width: 250, height: 250, format: 'PNG', sizeBytes: 1000 },
  } as Photo;
}

function execution(): Execution {
  return {
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:ImageProcessing:image-9',
    status: 'SUCCEEDED',
    startedAt: '2026-03-01T10:00:00.000Z',
    stoppedAt: '2026-03-01T10:00:01.500Z',
    steps: [
      { name: 'ExtractImageMetadata', status: 'SUCCEEDED', startedAt: '2026-03-01T10:00:00.000Z', durationMs: 120 },
      { name: 'DetectLabels', status: 'SUCCEEDED', startedAt: '2026-03-01T10:00:00.150Z', durationMs: 1300 },
    ],
  };
}
