import { expect } from 'chai';
import { PROJECT_ROOT } from '../../local/template';
import { writeFrontDoorTemplate } from '../support/front-door-template';
import { startTestStack, tempDir, type TestStack } from '../support/test-stack';
import { launchChromium, type Chromium } from './support/chromium';
import { EMAIL, PASSWORD, signUpInApp } from './support/sign-up';

/**
 * Sign-up, sign-in and sign-out of the web app in Chromium through the local OpenID Connect provider, on a template
 * with a user pool (test/support/front-door-template.ts adds one where template.yaml has none): the code + PKCE
 * flow, the e-mailed code, the way back to the page the user was on, and the provider's end-session endpoint.
 */
describe('web app sign-in in Chromium through the local provider', function () {
  this.timeout(90000);
  let test: TestStack;
  let chromium: Chromium;

  before(async function () {
    chromium = await launchChromium(this);
    const templatePath = writeFrontDoorTemplate(tempDir('web-sign-in-'));
    test = await startTestStack({ templatePath, codeRoot: PROJECT_ROOT, recognition: false });
  });
  after(async () => {
    await chromium?.close();
    await test?.stop();
  });

  it('signs up, comes back signed in to the page it left, and signs out at the provider', async () => {
    const base = `http://localhost:${test.stack.port}`;
    const page = await chromium.context.newPage();
    await page.goto(`${base}/_app/#/photos`);
    await signUpInApp(page, test.dataDir);
    await page.getByRole('heading', { name: 'All photos', level: 1 }).waitFor();
    expect(page.url()).to.equal(`${base}/_app/#/photos`);
    expect(await page.locator('header').innerText()).to.include(EMAIL);
    const token = await page.evaluate(
      `Object.entries(sessionStorage).find(([key]) => key.startsWith('oidc.user:'))?.[1]`,
    );
    const user = JSON.parse(String(token)) as { access_token: string; profile: Record<string, unknown> };
    const claims = JSON.parse(Buffer.from(user.access_token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).to.include({ token_use: 'access', iss: `${base}/_auth` });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(page.url()).to.equal(`${base}/_app/`);
    // Signed out at the provider too: signing in again asks for the password.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByLabel('E-mail address').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Albums', level: 1 }).waitFor();
    expect(chromium.problems).to.deep.equal([]);
  });
});
