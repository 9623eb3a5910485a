import { expect, test } from './fixtures.ts';

test('orders chats by the latest user message and animates the one that moves to the top', async ({ page, loggedIn, chat, sidebar }) => {
  void loggedIn;
  await chat.sendAndWaitForReply('older chat');
  await sidebar.newChat();
  await chat.sendAndWaitForReply('newer chat');
  await expect.poll(() => sidebar.titles()).toEqual(['newer chat', 'older chat']);

  // An agent reply is not user activity: the order stays as it is.
  await sidebar.open('older chat');
  await expect(chat.userMessages).toHaveText(['older chat']);
  await expect.poll(() => sidebar.titles()).toEqual(['newer chat', 'older chat']);

  await chat.send('writing in the older chat again');
  await expect.poll(() => sidebar.titles()).toEqual(['older chat', 'newer chat']);
  await expect(sidebar.item('older chat')).toHaveClass(/chat-list__item--moved/);
  await chat.waitForReply();

  await page.reload();
  await chat.expectReady();
  await expect.poll(() => sidebar.titles()).toEqual(['older chat', 'newer chat']);
});

test('New Chat reuses an empty chat and never lists a chat without messages', async ({ page, loggedIn, chat, sidebar }) => {
  void loggedIn;
  await expect(sidebar.items).toHaveCount(0);
  await sidebar.newChat();
  await sidebar.newChat();
  await expect(sidebar.items).toHaveCount(0);
  await expect(chat.title).toHaveText('New chat');

  await chat.sendAndWaitForReply('the only real chat');
  await expect(sidebar.items).toHaveCount(1);
  await expect(page).toHaveURL(/\/c\/[^/]+$/);

  await sidebar.newChat();
  await expect(page).toHaveURL(/\/$/);
  await expect(chat.title).toHaveText('New chat');
  await expect(chat.userMessages).toHaveCount(0);
  await sidebar.newChat();
  await expect(sidebar.items).toHaveCount(1);

  const listed = (await (await page.request.get('/api/chats')).json()) as { chats: unknown[] };
  expect(listed.chats).toHaveLength(1); // nothing empty was stored either
  await page.reload();
  await chat.expectReady();
  await expect(sidebar.items).toHaveCount(1);

  await chat.sendAndWaitForReply('a second chat');
  await expect.poll(() => sidebar.titles()).toEqual(['a second chat', 'the only real chat']);
});

test('renames a chat inline; Escape cancels', async ({ page, loggedIn, chat, sidebar }) => {
  void loggedIn;
  await chat.sendAndWaitForReply('chat to rename');
  await sidebar.rename('chat to rename', 'Holiday plans');
  await expect(sidebar.item('Holiday plans')).toHaveCount(1);
  await expect(chat.title).toHaveText('Holiday plans');

  await sidebar.item('Holiday plans').getByRole('button', { name: /^Rename chat/ }).click();
  const field = sidebar.nav.getByRole('textbox', { name: 'Chat title' });
  await field.fill('Not this');
  await field.press('Escape');
  await expect(field).toBeHidden();
  await expect(sidebar.item('Holiday plans')).toHaveCount(1);

  await page.reload();
  await expect(sidebar.item('Holiday plans')).toHaveCount(1);
});

test('the sidebar closes and opens on a desktop screen', async ({ loggedIn, chat, sidebar }) => {
  void loggedIn;
  await expect(sidebar.nav).toBeVisible();
  await sidebar.closeButton.click();
  await expect(sidebar.nav).toBeHidden();
  await expect(sidebar.openButton).toBeFocused(); // keyboard users are not left nowhere
  const chatWidth = (await chat.messages.boundingBox())!.width;
  expect(chatWidth).toBeGreaterThan(1200); // the chat takes the freed space
  await sidebar.openButton.click();
  await expect(sidebar.nav).toBeVisible();
});

test('an unsent message stays with its chat through chat switches and a reload, and is gone once sent or at logout', async ({ page, loggedIn, username, loginPage, chat, sidebar }) => {
  void loggedIn;
  await chat.sendAndWaitForReply('first chat');
  await sidebar.newChat();
  await chat.sendAndWaitForReply('second chat');

  await chat.input.fill('half a thought for the second chat');
  await sidebar.open('first chat');
  await expect(chat.input).toHaveValue('');
  await chat.input.fill('and one for the first');
  await sidebar.open('second chat');
  await expect(chat.input).toHaveValue('half a thought for the second chat');

  await page.reload();
  await chat.expectReady();
  await expect(chat.input).toHaveValue('half a thought for the second chat');
  await chat.input.press('Enter');
  await expect(chat.userMessages.last()).toHaveText('half a thought for the second chat');
  await expect(chat.input).toHaveValue('');
  await chat.waitForReply();
  await page.reload();
  await chat.expectReady();
  await expect(chat.input).toHaveValue('');

  // The first message of a new chat took its draft along: a new chat starts empty.
  await sidebar.newChat();
  await expect(chat.input).toHaveValue('');
  await sidebar.open('first chat');
  await expect(chat.input).toHaveValue('and one for the first');
  await sidebar.logoutButton.click();
  await loginPage.login(username);
  await chat.expectReady();
  await sidebar.open('first chat');
  await expect(chat.input).toHaveValue('');
});
