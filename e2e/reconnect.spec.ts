import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wordCount } from './pages/ChatPage.ts';
import { startStack, type Stack } from './support/stack.ts';
import { expect, test as base } from './fixtures.ts';

// These tests kill servers, so they run against a stack of their own, not the shared one.
const test = base.extend<object, { stack: Stack }>({
  stack: [
    async ({}, use) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-reconnect-'));
      const stack = await startStack({ dir, echoDelayMs: 20 });
      await use(stack);
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ stack }, use) => use(stack.baseURL),
});

test('when the backend dies the input is disabled with a banner, and after its restart the chat and the unsent text are intact', async ({ page, stack, loggedIn, chat, sidebar }) => {
  void loggedIn;
  await chat.sendAndWaitForReply('said before the outage');
  const replyBefore = await chat.lastReplyText();

  await chat.input.fill('typed before the outage');
  await stack.backend.kill();
  await expect(chat.banner).toBeVisible();
  await expect(chat.input).toBeDisabled();
  await expect(chat.sendButton).toBeDisabled();
  await expect(chat.input).toHaveValue('typed before the outage');
  await expect(page.getByText('Reconnecting… what you typed is kept.')).toBeVisible();

  await stack.backend.restart();
  await expect(chat.banner).toBeHidden({ timeout: 20_000 });
  await expect(chat.input).toBeEnabled();
  await expect(chat.input).toHaveValue('typed before the outage');
  await chat.input.fill('');
  await expect(chat.userMessages).toHaveText(['said before the outage']);
  await expect(chat.agentMessages).toHaveCount(1);
  expect(await chat.lastReplyText()).toBe(replyBefore);
  await expect(sidebar.items).toHaveCount(1);

  await chat.sendAndWaitForReply('said after the outage');
  await expect(chat.userMessages).toHaveText(['said before the outage', 'said after the outage']);
});

test('a dropped connection is not a stop: the reply keeps streaming and arrives whole after the reconnect', async ({ stack, loggedIn, chat }) => {
  void loggedIn;
  await chat.send('/long 200'); // about 4 s of streaming
  await expect.poll(async () => wordCount(await chat.lastReplyText().catch(() => ''))).toBeGreaterThan(10);

  // Killing the frontend server cuts the participant's socket while the backend goes on generating.
  await stack.frontend.kill();
  await expect(chat.banner).toBeVisible();
  await stack.frontend.restart();
  await expect(chat.banner).toBeHidden({ timeout: 20_000 });

  await chat.waitForReply();
  const text = await chat.lastReplyText();
  expect(wordCount(text)).toBe(200); // nothing lost, nothing doubled
  await expect(chat.agentMessages).toHaveCount(1);
});
