import path from 'node:path';
import type { Page } from '@playwright/test';
import { REPO_ROOT } from './stack.ts';

/** Screenshots kept as artifacts (test-results/ is gitignored) for people to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  // Let the sidebar transitions and the last animation frame of a reply settle first.
  await page.waitForTimeout(350);
  await page.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'screenshots', `${name}.png`) });
}
