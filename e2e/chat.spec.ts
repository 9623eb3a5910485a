import { wordCount } from './pages/ChatPage.ts';
import { expect, test } from './fixtures.ts';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('sends a message and shows the simulated agent streaming its reply as Markdown', async ({ page, loggedIn, chat, sidebar }) => {
  void loggedIn;
  await chat.send('Hello **Parley**');
  await expect(chat.userMessages.last()).toContainText('Hello **Parley**'); // the participant's text stays as typed
  await expect(chat.input).toHaveValue('');
  // While streaming: the stop button, a polite status, and text growing token by token.
  await expect(chat.stopButton).toBeVisible();
  await expect(chat.agentStatus).toHaveText('Agent is replying…');
  await expect(chat.lastAgentMessage).toHaveAttribute('data-status', 'streaming');

  await chat.waitForReply();
  await expect(chat.agentStatus).toHaveText('Reply finished');
  await expect(chat.stopButton).toBeHidden();
  const reply = chat.lastAgentMessage;
  await expect(reply.getByText('Simulated agent', { exact: true })).toBeVisible();
  await expect(reply.locator('.markdown strong').first()).toHaveText('Parley'); // Markdown rendered
  await expect(reply.locator('.markdown li')).toHaveCount(2);

  await reply.getByRole('button', { name: 'Copy reply' }).click();
  await expect(reply.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('You said: “Hello **Parley**”');

  // The chat is listed once it has a message, named after it.
  await expect(sidebar.items).toHaveCount(1);
  await expect(chat.title).toContainText('Hello Parley');
});

test('HTML in an agent reply is shown as text and never runs; inline code is rendered', async ({ page, loggedIn, chat }) => {
  void loggedIn;
  // The simulated agent quotes the message inside its Markdown reply, as a model might repeat it.
  await chat.sendAndWaitForReply('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> try `npm test`');
  const reply = chat.lastAgentMessage.locator('.markdown');
  await expect(reply).toContainText('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>');
  await expect(reply.locator('img, script, [onerror]')).toHaveCount(0);
  await expect(reply.locator('code')).toHaveText(['npm test', 'provider']);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // The participant's own message is plain text too.
  await expect(chat.userMessages.last().locator('img, script')).toHaveCount(0);
});

test("a code block's Copy code button copies the code alone", async ({ page, loggedIn, chat }) => {
  void loggedIn;
  await chat.sendAndWaitForReply('show me code');
  // The simulated agent cannot write a fenced block (it quotes on one line): the stored reply is
  // replaced on its way to the page, as a model's reply with code would arrive.
  const code = 'const answer = 42;\nconsole.log(answer);';
  await page.route('**/api/chats/*', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    for (const m of body.messages ?? []) if (m.role === 'assistant') m.content = `Here:\n\n\`\`\`js\n${code}\n\`\`\`\n\nDone.`;
    await route.fulfill({ response, json: body });
  });
  await page.reload();
  const block = chat.lastAgentMessage.locator('.code-block');
  await expect(block.locator('.code-block__header')).toContainText('js');
  await block.getByRole('button', { name: 'Copy code' }).click();
  await expect(block.getByRole('button', { name: 'Copy code' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
});

test('Enter sends, Shift+Enter adds a line, and the box grows with its text', async ({ loggedIn, chat }) => {
  void loggedIn;
  const height = async () => (await chat.input.boundingBox())!.height;
  const oneLine = await height();
  await chat.input.fill('first line');
  await chat.input.press('Shift+Enter');
  await chat.input.pressSequentially('second line');
  await chat.input.press('Shift+Enter');
  await chat.input.pressSequentially('third line');
  await expect(chat.input).toHaveValue('first line\nsecond line\nthird line');
  expect(await height()).toBeGreaterThan(oneLine * 1.8);
  await chat.input.press('Enter');
  await expect(chat.userMessages.last()).toHaveText('first line\nsecond line\nthird line');
  await chat.waitForReply();
  expect(await height()).toBeLessThan(oneLine + 2);
});

test('shows a refused message on the message itself, with the reason, and retries it', async ({ page, chat, loginPage, username }) => {
  // The server refuses the first send (as it would when rate-limited); the retry goes through.
  let refused = false;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((raw) => {
      const frame = JSON.parse(String(raw)) as { type: string; chatId?: string; clientMsgId?: string };
      if (frame.type === 'send' && !refused) {
        refused = true;
        ws.send(JSON.stringify({ type: 'error', code: 'rate_limited', message: 'Too many messages too fast; please slow down.', chatId: frame.chatId, clientMsgId: frame.clientMsgId }));
        return;
      }
      server.send(raw);
    });
  });
  await loginPage.goto();
  await loginPage.login(username);
  await chat.send('please arrive');
  const failed = page.getByTestId('send-failed');
  await expect(failed).toContainText('Not delivered: Too many messages too fast; please slow down.');
  await failed.getByRole('button', { name: 'Retry' }).click();
  await expect(failed).toHaveCount(0);
  await chat.waitForReply();
  await expect(chat.userMessages).toHaveCount(1);
  expect(await chat.lastReplyText()).toContain('You said: “please arrive”');
});

test('stop ends the reply where it is, and that text is what is stored', async ({ page, loggedIn, chat }) => {
  void loggedIn;
  await chat.send('/long 400'); // 400 words at 20 ms: about 8 s, far longer than the test waits
  await expect.poll(async () => wordCount(await chat.lastReplyText().catch(() => '')), { timeout: 10_000 }).toBeGreaterThan(15);
  // Stop stands where Send was; typing brings Send back (a new message would interrupt the reply).
  await expect(chat.sendButton).toBeHidden();
  await chat.input.fill('second thoughts');
  await expect(chat.stopButton).toBeHidden();
  await expect(chat.sendButton).toBeEnabled();
  await chat.input.fill('');
  await chat.stopButton.click();
  await chat.waitForReply('interrupted');
  await expect(chat.lastAgentMessage.getByText('Stopped')).toBeVisible();
  await expect(chat.stopButton).toBeHidden();
  const shown = await chat.lastReplyText();
  expect(wordCount(shown)).toBeLessThan(400);
  await page.waitForTimeout(500);
  expect(await chat.lastReplyText()).toBe(shown); // nothing more arrives after the stop

  await page.reload();
  await chat.waitForReply('interrupted');
  expect(await chat.lastReplyText()).toBe(shown);
});
