import type { Page } from '@playwright/test';
import { saveScreenshot } from './screenshots.ts';

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 360, height: 740 } } as const;

/**
 * Screenshots of what is on screen in light and dark, on a desktop and a 360 px phone
 * (`<name>-<desktop|mobile>-<light|dark>.png`), switching the theme with the page's own toggle.
 * The page is left as it was.
 */
export async function saveThemedScreenshots(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  const toggle = page.getByRole('button', { name: /Switch to (dark|light) theme/ });
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const startTheme = await theme();
  for (const [device, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    for (let i = 0; i < 2; i++) {
      await saveScreenshot(page, `${name}-${device}-${await theme()}`);
      await toggle.click();
      await page.mouse.move(size.width / 2, 28); // over the header title: no hover highlight in the next picture
    }
  }
  if ((await theme()) !== startTheme) await toggle.click();
  if (original) await page.setViewportSize(original);
}
