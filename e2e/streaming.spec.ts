import { wordCount } from './pages/ChatPage.ts';
import { expect, test } from './fixtures.ts';

test('switching chats while a reply streams neither loses nor misplaces it', async ({ page, loggedIn, chat, sidebar }) => {
  void loggedIn;
  await chat.sendAndWaitForReply('a quiet chat');
  await sidebar.newChat();
  await chat.send('/long 150'); // 150 words at 20 ms: about 3 s
  await expect.poll(async () => wordCount(await chat.lastReplyText().catch(() => ''))).toBeGreaterThan(5);

  await sidebar.open('a quiet chat');
  await expect(chat.userMessages).toHaveText(['a quiet chat']);
  await expect(chat.agentMessages).toHaveCount(1);
  await expect(page.getByText('(Simulated) streams')).toHaveCount(0); // no token of the other chat lands here
  await expect(chat.stopButton).toBeHidden();
  await expect(sidebar.item('/long 150').locator('.chat-list__live')).toBeVisible();
  await page.waitForTimeout(700);
  await expect(chat.agentMessages).toHaveCount(1);

  await sidebar.open('/long 150');
  await chat.waitForReply();
  const text = await chat.lastReplyText();
  expect(wordCount(text)).toBe(150); // every word exactly once
  expect(text.startsWith('(Simulated) streams this simulated reply')).toBe(true);

  await sidebar.open('a quiet chat');
  await expect(chat.agentMessages).toHaveCount(1);
  expect(await chat.lastReplyText()).toContain('You said: “a quiet chat”');
});

test('a reload in the middle of a reply picks it up where it is and finishes it', async ({ page, loggedIn, chat }) => {
  void loggedIn;
  await chat.send('/long 150');
  await expect.poll(async () => wordCount(await chat.lastReplyText().catch(() => ''))).toBeGreaterThan(10);
  await page.reload();
  await expect(chat.lastAgentMessage).toHaveAttribute('data-status', 'streaming');
  await chat.waitForReply();
  expect(wordCount(await chat.lastReplyText())).toBe(150);
});

test('follows a streaming reply at the bottom, but leaves a reader who scrolled up alone', async ({ loggedIn, chat }) => {
  void loggedIn;
  // Enough earlier messages that the chat scrolls.
  for (const text of ['one', 'two', 'three']) await chat.sendAndWaitForReply(`filler message ${text}`);
  await chat.send('/long 250'); // about 5 s
  await expect.poll(async () => wordCount(await chat.lastReplyText().catch(() => ''))).toBeGreaterThan(60);
  const distanceFromBottom = () => chat.messages.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  expect(await distanceFromBottom()).toBeLessThan(48); // following so far

  await chat.messages.hover();
  await chat.page.mouse.wheel(0, -300);
  await expect(chat.jumpToLatest).toBeVisible();
  const readingAt = await chat.messages.evaluate((el) => el.scrollTop);
  await chat.page.waitForTimeout(800); // more tokens arrive meanwhile
  expect(await chat.messages.evaluate((el) => el.scrollTop)).toBe(readingAt);

  await chat.jumpToLatest.click();
  await expect(chat.jumpToLatest).toBeHidden();
  await chat.waitForReply();
  expect(await distanceFromBottom()).toBeLessThan(48); // and following again to the end
});
