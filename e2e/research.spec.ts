import { ChatPage, wordCount } from './pages/ChatPage.ts';
import { StudyPage } from './pages/StudyPage.ts';
import { saveScreenshot } from './support/screenshots.ts';
import { saveThemedScreenshots } from './support/themedScreenshots.ts';
import { RESEARCHER_PASSWORD, STUDY } from './support/studyStack.ts';
import { expect, test } from './studyFixtures.ts';

interface ExportLine {
  record: 'participant' | 'conversation';
  participantId: string;
  condition: string | null;
  chatId?: string;
  messages?: { id: string; role: string; status: string; content: string; feedback: { current: { rating: string | null } | null } }[];
  events?: { kind: string; data: Record<string, unknown> }[];
}

test('the researcher logs in, watches the dashboard, reads a conversation and downloads it', async ({ browser, baseURL, page, research, prolificPid }) => {
  // A participant takes part in their own browser: consent, one message, a thumbs up, a paste.
  const participantContext = await browser.newContext({ baseURL });
  const participantPage = await participantContext.newPage();
  const participant = { study: new StudyPage(participantPage), chat: new ChatPage(participantPage) };
  await participant.study.openStudyLink({ PROLIFIC_PID: prolificPid, STUDY_ID: 'prolific-study-9', SESSION_ID: 'session-9' });
  await participant.study.accept();
  const said = `Probe, with "quotes", commas and =formula ${prolificPid}`;
  await participant.chat.input.focus();
  await participantPage.evaluate((text) => {
    // A real paste event on the message box, as the browser fires it.
    const data = new DataTransfer();
    data.setData('text/plain', text);
    document.getElementById('composer-input')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, 'pasted words');
  await participant.chat.sendAndWaitForReply(said);
  await participant.study.thumb(participant.chat.lastAgentMessage, 'up').click();
  await expect(participant.study.thumb(participant.chat.lastAgentMessage, 'up')).toHaveAttribute('aria-pressed', 'true');
  // The second and last turn: stopped while it streams, so the export shows what had been seen.
  await participant.chat.send('/long 150');
  await expect.poll(async () => wordCount(await participant.chat.lastReplyText().catch(() => ''))).toBeGreaterThan(10);
  await expect(participantPage.getByText('That was the last message of this conversation.')).toBeVisible();
  await saveScreenshot(participantPage, 'study-last-reply-streaming');
  await participant.chat.stopButton.click();
  await participant.chat.waitForReply('interrupted');
  await expect(participant.study.completion).toBeVisible();

  // A wrong password is refused with a message; the right one opens the dashboard.
  await research.goto();
  await research.login('not the password');
  await expect(research.loginError).toHaveText('That password is not right.');
  await research.login(RESEARCHER_PASSWORD);
  await expect(research.title).toHaveText(`Study ${STUDY.id}`);
  await expect(research.summary).toContainText('Participants');
  for (const condition of STUDY.conditions) await expect(research.conditions.getByRole('rowheader', { name: condition })).toBeVisible();

  const row = research.participantRow(prolificPid);
  await expect(row).toBeVisible();
  const condition = (await row.locator('td').first().innerText()).trim();
  expect(STUDY.conditions).toContain(condition);
  await expect(row).toContainText('accepted');
  await expect(row).toContainText('prolific-study-9 / session-9');
  await saveThemedScreenshots(page, 'research-dashboard');

  // The participant's conversations, then one of them, read-only.
  await row.getByRole('button', { name: /Show the 1 conversations/ }).click();
  await expect(research.page.getByRole('heading', { name: `Conversations of ${prolificPid}` })).toBeVisible();
  await research.conversations.getByRole('link').first().click();
  await expect(research.page).toHaveURL(/\/research\/conversations\//);
  await expect(research.viewerMessages).toHaveCount(4);
  await expect(research.viewerMessages.first()).toContainText(said);
  await expect(research.viewerMessages.nth(1)).toContainText('Feedback: 👍 good');
  await expect(research.viewerMessages.last()).toContainText('interrupted');
  await expect(research.page.getByText(condition, { exact: true })).toBeVisible();
  await expect(research.page.getByRole('textbox')).toHaveCount(0); // read-only: nothing to type into
  await research.page.goBack();
  await expect(research.title).toHaveText(`Study ${STUDY.id}`);

  // The export holds exactly what was said, its feedback and the browser's telemetry.
  const jsonl = (await research.download(research.downloadJsonl))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ExportLine);
  const conversation = jsonl.find((line) => line.record === 'conversation' && line.participantId === prolificPid);
  expect(conversation?.condition).toBe(condition);
  expect(conversation?.messages?.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(conversation?.messages?.[0]?.content).toBe(said);
  expect(conversation?.messages?.[1]?.feedback.current?.rating).toBe('up');
  expect(conversation?.events?.map((e) => e.kind)).toEqual(expect.arrayContaining(['message_sent', 'first_token', 'stop_pressed']));
  // What the participant had seen when they pressed stop is at most what was stored as interrupted.
  const stopped = conversation?.messages?.[3];
  expect(stopped?.status).toBe('interrupted');
  const stop = conversation?.events?.find((e) => e.kind === 'stop_pressed');
  const shownChars = stop?.data.shownChars as number;
  expect(shownChars).toBeGreaterThan(10);
  expect(shownChars).toBeLessThanOrEqual([...(stopped?.content ?? '')].length);
  // The paste came before the chat existed (a new chat is created by its first message), so it
  // is the participant's event, not the conversation's; its length only, never the text.
  const participantRecord = jsonl.find((line) => line.record === 'participant' && line.participantId === prolificPid);
  expect(participantRecord?.events?.find((e) => e.kind === 'paste')?.data).toEqual({ length: 'pasted words'.length });
  expect(JSON.stringify(jsonl)).not.toContain('pasted words');

  const csv = await research.download(research.downloadCsv);
  expect(csv.split('\n')[0]).toContain('participantId');
  // RFC 4180 quoting, and the cell starting with = is not one here (it starts with "Probe").
  expect(csv).toContain(`"${said.replace(/"/g, '""')}"`);

  await research.logoutButton.click();
  await expect(research.password).toBeVisible();
  await page.reload();
  await expect(research.password).toBeVisible(); // the session is gone, not just hidden
  await participantContext.close();
});

test('the researcher page is a separate chunk: a participant’s page never loads it', async ({ page, study, prolificPid }) => {
  const scripts: string[] = [];
  page.on('request', (request) => request.resourceType() === 'script' && scripts.push(new URL(request.url()).pathname));
  await study.openStudyLink({ pid: prolificPid });
  await expect(study.consentText).toBeVisible();
  expect(scripts.some((path) => path.includes('Research'))).toBe(false);
  await page.goto('/research');
  await expect(page.getByLabel('Password')).toBeVisible();
  expect(scripts.some((path) => path.includes('Research'))).toBe(true);
});
