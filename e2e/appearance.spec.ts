import { saveScreenshot } from './support/screenshots.ts';
import { expect, test } from './fixtures.ts';

test.describe('with a light system theme', () => {
  test.use({ colorScheme: 'light' });

  test('the theme toggle is remembered across reloads (screenshots: desktop light and dark)', async ({ page, loggedIn, chat, sidebar }) => {
    void loggedIn;
    expect(await chat.currentTheme()).toBe('light');
    await chat.sendAndWaitForReply('Plan a weekend in Lisbon');
    await sidebar.newChat();
    await chat.sendAndWaitForReply('What is **Markdown**? Show `inline code` please');
    await saveScreenshot(page, 'desktop-light');
    const lightBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

    await chat.themeToggle.click();
    expect(await chat.currentTheme()).toBe('dark');
    await expect(chat.themeToggle).toHaveAccessibleName('Switch to light theme');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(lightBackground);

    await page.reload();
    await chat.expectReady();
    expect(await chat.currentTheme()).toBe('dark');
    await chat.waitForReply();
    await saveScreenshot(page, 'desktop-dark');

    await chat.themeToggle.click();
    await page.reload();
    expect(await chat.currentTheme()).toBe('light');
  });
});

test.describe('with a dark system theme', () => {
  test.use({ colorScheme: 'dark' });

  test('starts dark when nothing was chosen yet', async ({ page, loginPage, chat }) => {
    await loginPage.goto();
    expect(await chat.currentTheme()).toBe('dark');
    await saveScreenshot(page, 'login-dark');
  });
});

test("keyboard only: log in, send, and reach the reply's buttons with visible focus", async ({ page, loginPage, chat, username }) => {
  await loginPage.goto();
  await expect(loginPage.username).toBeFocused();
  await page.keyboard.type(username);
  await page.keyboard.press('Enter');
  await chat.expectReady();
  await expect(chat.input).toBeFocused(); // a new chat puts the cursor in the message box
  await page.keyboard.type('typed with the keyboard only');
  await page.keyboard.press('Enter');
  await chat.waitForReply();

  // Shift+Tab backwards from the message box reaches the reply's copy button, with a visible ring.
  await page.keyboard.press('Shift+Tab');
  const copy = chat.lastAgentMessage.getByRole('button', { name: 'Copy reply' });
  await expect(copy).toBeFocused();
  const outline = await copy.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
});
