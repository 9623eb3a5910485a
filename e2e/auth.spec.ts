import { ChatPage } from './pages/ChatPage.ts';
import { LoginPage } from './pages/LoginPage.ts';
import { Sidebar } from './pages/Sidebar.ts';
import { expect, test } from './fixtures.ts';

test('logs in with a username, keeps the session across a reload, and logs out', async ({ page, loginPage, chat, sidebar }) => {
  const username = `Grace Hopper ${Math.random().toString(36).slice(2, 8)}`;
  await loginPage.goto();
  await expect(loginPage.accessCode).toHaveCount(0); // this server needs no access code
  await loginPage.submit.click();
  await expect(loginPage.error).toHaveText('Enter a username.');

  await loginPage.login(username);
  await chat.expectReady();
  await expect(sidebar.username).toHaveText(username);
  await expect(sidebar.avatar).toHaveText('GH');

  await page.reload();
  await chat.expectReady();
  await expect(sidebar.username).toHaveText(username);

  await sidebar.logoutButton.click();
  await expect(loginPage.username).toBeVisible();
  await page.reload();
  await expect(loginPage.username).toBeVisible(); // the session really ended server-side
});

test('asks for the access code when the server requires one and explains a wrong one', async ({ page, loginPage }) => {
  // This stack runs without ACCESS_CODE; the two answers that matter are stubbed at the network level.
  await page.route('**/api/config', (route) => route.fulfill({ json: { accessCodeRequired: true, protocolVersion: 1 } }));
  await page.route('**/api/auth/login', (route) =>
    route.fulfill({ status: 401, json: { error: { code: 'bad_access_code', message: 'Wrong access code.' } } }),
  );
  await loginPage.goto();
  await expect(loginPage.accessCode).toBeVisible();
  await loginPage.login('someone', 'not-the-code');
  await expect(loginPage.error).toHaveText('That access code is not right.');
  await expect(loginPage.username).toHaveAttribute('aria-invalid', 'true');
});

test("a second user sees none of the first user's chats, not even by URL", async ({ browser, page, loginPage, chat, sidebar, username, baseURL }) => {
  await loginPage.goto();
  await loginPage.login(username);
  await chat.sendAndWaitForReply('a secret only I may read');
  await expect(sidebar.items).toHaveCount(1);
  const chatUrl = page.url();
  expect(chatUrl).toMatch(/\/c\/[^/]+$/);

  const other = await browser.newContext({ baseURL });
  const otherPage = await other.newPage();
  const otherLogin = new LoginPage(otherPage);
  const otherChat = new ChatPage(otherPage);
  const otherSidebar = new Sidebar(otherPage);
  await otherLogin.goto();
  await otherLogin.login(`${username}-other`);
  await otherChat.expectReady();
  await expect(otherSidebar.items).toHaveCount(0);

  await otherPage.goto(chatUrl);
  await otherChat.expectReady();
  await expect(otherChat.notice).toContainText('does not exist or belongs to someone else');
  await expect(otherPage.getByText('a secret only I may read')).toHaveCount(0);
  await expect(otherPage).toHaveURL(/\/$/);
  const chatId = chatUrl.split('/c/')[1]!;
  const direct = await otherPage.request.get(`/api/chats/${chatId}`);
  expect([403, 404]).toContain(direct.status());
  await other.close();
});
