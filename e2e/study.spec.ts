import { saveThemedScreenshots } from './support/themedScreenshots.ts';
import { STUDY } from './support/studyStack.ts';
import { expect, test } from './studyFixtures.ts';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('a participant from a Prolific link consents, chats to the turn limit and gets the completion code', async ({ page, study, chat, sidebar, prolificPid }) => {
  await study.openStudyLink({ PROLIFIC_PID: prolificPid, STUDY_ID: 'prolific-study-77', SESSION_ID: 'session-1' });

  // Logged in under the Prolific id without a form, and shown only the consent text.
  await expect(page.getByRole('heading', { name: STUDY.consentHeading })).toBeVisible();
  await expect(study.consentText.locator('li')).toHaveCount(2); // rendered as Markdown
  await expect(page.getByLabel('Username')).toHaveCount(0);
  await expect(chat.input).toHaveCount(0);
  await expect(sidebar.nav).toHaveCount(0);
  await saveThemedScreenshots(page, 'study-consent');

  await study.accept();
  await chat.expectReady();
  await expect(sidebar.username).toHaveText(prolificPid);
  await expect(study.limits).toContainText('2 messages left');
  await expect(sidebar.newChatButton).toBeVisible();

  await chat.sendAndWaitForReply('My first message');
  await expect(study.limits).toContainText('1 message left');
  // One conversation per participant, no renaming, no model name: as the study says.
  await expect(sidebar.newChatButton).toHaveCount(0);
  await expect(sidebar.nav.getByRole('button', { name: /^Rename chat/ })).toHaveCount(0);
  await expect(chat.lastAgentMessage.getByText('Simulated agent', { exact: true })).toBeVisible();

  await chat.sendAndWaitForReply('My second and last message');
  // The last turn is answered, then the message box gives way to the completion panel.
  await expect(study.completion).toBeVisible();
  await expect(chat.input).toHaveCount(0);
  await expect(study.completion.getByRole('heading', { name: 'This conversation has ended' })).toBeVisible();
  await expect(study.status).toHaveText('This conversation has ended.');
  await expect(study.completion).toContainText('This part of the study is over');
  await expect(study.completionCode).toHaveText(STUDY.completionCode);
  await expect(study.redirectLink).toHaveAttribute('href', STUDY.redirectUrl);
  await expect(study.redirectLink).toHaveText('Continue to app.prolific.com');
  await study.copyCodeButton.click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(STUDY.completionCode);
  await saveThemedScreenshots(page, 'study-completion');

  // Coming back by the same link finds the same conversation, still closed.
  await study.openStudyLink({ PROLIFIC_PID: prolificPid, STUDY_ID: 'prolific-study-77', SESSION_ID: 'session-1' });
  await expect(study.completionCode).toHaveText(STUDY.completionCode);
  await expect(chat.userMessages).toHaveText(['My first message', 'My second and last message']);
  await expect(chat.input).toHaveCount(0);
});

test('a participant who declines ends on a final screen without any chat', async ({ page, study, chat, sidebar, prolificPid }) => {
  await study.openStudyLink({ pid: prolificPid });
  await expect(study.consentText).toBeVisible();
  await study.declineButton.click();
  // Declining is final, so it is confirmed once.
  await expect(page.getByText('Declining is final')).toBeVisible();
  await study.confirmDeclineButton.click();

  await expect(study.declinedScreen).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Thank you for your time' })).toBeFocused();
  await expect(chat.input).toHaveCount(0);
  await expect(sidebar.nav).toHaveCount(0);
  await saveThemedScreenshots(page, 'study-declined');

  await page.reload();
  await expect(study.declinedScreen).toBeVisible();
  await expect(study.consentText).toHaveCount(0);
});

test('telemetry still queued when the page goes away leaves by beacon, with a paste’s length and never its text', async ({ page, study, chat, prolificPid }) => {
  await study.openStudyLink({ pid: prolificPid });
  await study.accept();
  await chat.expectReady();
  const beacon = page.waitForRequest((r) => r.url().endsWith('/api/telemetry') && r.method() === 'POST');
  await chat.input.focus();
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.setData('text/plain', 'ten chars!');
    document.getElementById('composer-input')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    // The page is going away before the queue's timer sends anything over the socket. (A real
    // navigation would do the same, but the request of a page already gone cannot be observed.)
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
  });
  const request = await beacon;
  const body = request.postData() ?? '';
  expect(JSON.parse(body).events).toContainEqual(expect.objectContaining({ kind: 'paste', length: 10 }));
  expect(body).not.toContain('ten chars');
  expect((await request.response())?.status()).toBe(202);
});

test('thumbs feedback on a reply is kept across a reload, toggles off, and takes a comment', async ({ page, study, chat, prolificPid }) => {
  await study.openStudyLink({ pid: prolificPid });
  await study.accept();
  await chat.sendAndWaitForReply('Rate this reply');
  const reply = chat.lastAgentMessage;
  const up = study.thumb(reply, 'up');
  const down = study.thumb(reply, 'down');
  await expect(up).toHaveAttribute('aria-pressed', 'false');

  await up.click();
  await expect(up).toHaveAttribute('aria-pressed', 'true');
  await reply.getByRole('button', { name: 'Add a comment' }).click();
  await reply.getByLabel('Comment on this reply (optional)').fill('Clear and friendly.');
  await saveThemedScreenshots(page, 'study-feedback');
  const saved = page.waitForResponse((r) => r.url().includes('/feedback') && r.request().method() === 'PUT');
  await reply.getByRole('button', { name: 'Save comment' }).click();
  expect((await saved).status()).toBe(200);
  await expect(reply.getByRole('button', { name: 'Edit comment' })).toBeVisible();

  await page.reload();
  await chat.waitForReply();
  await expect(study.thumb(chat.lastAgentMessage, 'up')).toHaveAttribute('aria-pressed', 'true');
  await expect(chat.lastAgentMessage.getByRole('button', { name: 'Edit comment' })).toBeVisible();

  // The other thumb replaces the rating; clicking the active one again withdraws it.
  await study.thumb(chat.lastAgentMessage, 'down').click();
  await expect(study.thumb(chat.lastAgentMessage, 'down')).toHaveAttribute('aria-pressed', 'true');
  await expect(study.thumb(chat.lastAgentMessage, 'up')).toHaveAttribute('aria-pressed', 'false');
  const withdrawn = page.waitForResponse((r) => r.url().includes('/feedback') && r.request().method() === 'PUT');
  await study.thumb(chat.lastAgentMessage, 'down').click();
  expect(((await (await withdrawn).json()) as { feedback: { rating: unknown } }).feedback.rating).toBeNull();
  await page.reload();
  await chat.waitForReply();
  await expect(study.thumb(chat.lastAgentMessage, 'up')).toHaveAttribute('aria-pressed', 'false');
  await expect(down).toHaveAttribute('aria-pressed', 'false');
});
