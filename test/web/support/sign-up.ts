import type { Page } from 'playwright-core';
import { latestCode } from '../../../local/auth/inbox';

/** A local user of the browser suites, and the way through the local provider's pages to the app. */
export const EMAIL = 'alice@example.com';
export const PASSWORD = 'Correct-Horse-9';

/** From the app's Sign in button back to the app, creating the account on the way (the code from the stack's inbox). */
export async function signUpInApp(page: Page, dataDir: string, filled?: () => Promise<void>): Promise<void> {
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('E-mail address').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await filled?.();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByLabel('Verification code').waitFor();
  await page.getByLabel('Verification code').fill(latestCode(dataDir, EMAIL) ?? '');
  await page.getByRole('button', { name: 'Confirm' }).click();
}
