import { expect } from 'chai';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { PROJECT_ROOT } from '../../local/template';
import { IMAGES, startTestStack, type TestStack } from '../support/test-stack';
import { requireSystemTool } from '../support/system-tools';

/** The page in Debian's Chromium, never a downloaded browser. UPDATE_SCREENSHOT=1 rewrites docs/web-app.png. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

describe('web app in Chromium', function () {
  this.timeout(60000);
  let test: TestStack | undefined;
  let browser: Browser | undefined;

  before(async function () {
    requireSystemTool(this, existsSync(CHROMIUM), CHROMIUM, 'chromium');
    test = await startTestStack();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    await test?.stop();
  });

  it('uploads photos through the file input and shows them with status, thumbnail, labels and metadata', async () => {
    const page = await browser!.newPage({ viewport: { width: 1100, height: 720 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${test!.stack.endpoint}/_app/`);
    expect(await page.getByLabel('User').inputValue()).to.equal('local-user');

    await page.getByLabel('New album').fill('holiday');
    await page.getByRole('button', { name: 'Use new album' }).click();
    await page.locator('#upload-target', { hasText: 'private/local-user/uploads/holiday/' }).waitFor();
    expect(await page.locator('#album').inputValue()).to.equal('holiday');
    await page.setInputFiles('#files', [
      path.join(IMAGES, 'skimage_astronaut.png'),
      path.join(IMAGES, 'nikon-p6000_landscape_gps.jpg'),
      path.join(IMAGES, 'generated_chelsea-cat.gif'),
    ]);

    const astronaut = page.locator('.card', { hasText: 'skimage_astronaut.png' });
    await astronaut.locator('.badge.SUCCEEDED').waitFor({ timeout: 40000 });
    const thumbnail = astronaut.getByRole('img', { name: 'Thumbnail of skimage_astronaut.png' });
    await thumbnail.waitFor();
    await page.waitForFunction(
      `document.querySelector('.card img[alt="Thumbnail of skimage_astronaut.png"]')?.naturalWidth > 0`,
    );
    const labels = await astronaut.locator('.labels').innerText();
    expect(labels).to.match(/Person \d+%/);
    expect(await astronaut.innerText()).to.match(/PNG, 512 × 512/);

    const landscape = page.locator('.card', { hasText: 'nikon-p6000_landscape_gps.jpg' });
    await landscape.locator('.badge.SUCCEEDED').waitFor({ timeout: 40000 });
    expect(await landscape.innerText())
      .to.match(/GPS\s+-?\d+\.\d{5}, -?\d+\.\d{5}/)
      .and.match(/Camera\s+NIKON/);
    const gif = page.locator('.card', { hasText: 'generated_chelsea-cat.gif' });
    await gif.locator('.badge.UNSUPPORTED').waitFor({ timeout: 40000 });
    expect(await gif.locator('.err').innerText()).to.match(/\w+: .+/);
    await page.locator('#album option', { hasText: 'holiday (3)' }).waitFor({ state: 'attached' });
    expect(await page.locator('#status').innerText()).to.equal('3 photos');
    expect(problems).to.deep.equal([]);

    if (process.env.UPDATE_SCREENSHOT === '1') {
      await page.screenshot({ path: path.join(PROJECT_ROOT, 'docs/web-app.png'), fullPage: true });
    }
  });
});
