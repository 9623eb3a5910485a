import { saveScreenshot } from './support/screenshots.ts';
import { expect, test } from './fixtures.ts';

test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, colorScheme: 'light' });

test('on a 360 px phone the sidebar is an overlay that opens, picks a chat and closes', async ({ page, loggedIn, chat, sidebar }) => {
  void loggedIn;
  await expect(sidebar.nav).toBeHidden(); // closed by default on phones
  await chat.sendAndWaitForReply('first phone chat');
  await sidebar.openButton.click();
  await sidebar.newChat();
  await expect(sidebar.nav).toBeHidden(); // starting a chat closes the overlay
  await chat.sendAndWaitForReply('second phone chat');
  await saveScreenshot(page, 'mobile-chat');

  // Nothing sticks out sideways, and the message box is on screen at the bottom.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  const box = (await chat.input.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(740);
  expect(box.y).toBeGreaterThan(500);

  await sidebar.openButton.click();
  await expect(sidebar.nav).toBeVisible();
  const panel = (await sidebar.nav.boundingBox())!;
  expect(panel.width).toBeLessThan(360); // an overlay, with the chat dimmed beside it
  await saveScreenshot(page, 'mobile-sidebar');

  await sidebar.open('first phone chat');
  await expect(sidebar.nav).toBeHidden();
  await expect(chat.userMessages).toHaveText(['first phone chat']);

  // Tapping the dimmed backdrop closes the overlay too.
  await sidebar.openButton.click();
  await expect(sidebar.nav).toBeVisible();
  await page.mouse.click(350, 400);
  await expect(sidebar.nav).toBeHidden();
});
