import { expect, type Locator, type Page } from '@playwright/test';

/** The chat area: messages, the composer, the connection banner and the header. */
export class ChatPage {
  readonly input: Locator;
  readonly sendButton: Locator;
  readonly stopButton: Locator;
  readonly banner: Locator;
  readonly notice: Locator;
  readonly messages: Locator;
  readonly userMessages: Locator;
  readonly agentMessages: Locator;
  readonly agentStatus: Locator;
  readonly title: Locator;
  readonly themeToggle: Locator;
  readonly jumpToLatest: Locator;

  constructor(readonly page: Page) {
    this.input = page.getByRole('textbox', { name: 'Message', exact: true });
    this.sendButton = page.getByRole('button', { name: 'Send message' });
    this.stopButton = page.getByRole('button', { name: 'Stop reply' });
    this.banner = page.getByText('Disconnected. Reconnecting…');
    this.notice = page.locator('.banner--error');
    this.messages = page.getByTestId('messages');
    this.userMessages = page.locator('article.message--user');
    this.agentMessages = page.locator('article.message--agent');
    this.agentStatus = page.getByTestId('agent-status');
    this.title = page.getByRole('heading', { level: 1 });
    this.themeToggle = page.getByRole('button', { name: /Switch to (dark|light) theme/ });
    this.jumpToLatest = page.getByRole('button', { name: 'Jump to latest' });
  }

  get lastAgentMessage(): Locator {
    return this.agentMessages.last();
  }

  /** Ready to chat: logged in and the socket is open (the input is enabled only then). */
  async expectReady(): Promise<void> {
    await expect(this.input).toBeEnabled();
  }

  async send(text: string): Promise<void> {
    await this.expectReady();
    await this.input.fill(text);
    await this.input.press('Enter');
  }

  /** Waits until the newest agent reply has ended with the given status. */
  async waitForReply(status: 'complete' | 'interrupted' | 'error' = 'complete'): Promise<void> {
    await expect(this.lastAgentMessage).toHaveAttribute('data-status', status, { timeout: 20_000 });
  }

  async sendAndWaitForReply(text: string): Promise<void> {
    const before = await this.agentMessages.count();
    await this.send(text);
    await expect(this.agentMessages).toHaveCount(before + 1);
    await this.waitForReply();
  }

  /** The visible text of the newest reply, without the author line and buttons. */
  async lastReplyText(): Promise<string> {
    return (await this.lastAgentMessage.locator('.markdown').innerText()).trim();
  }

  async currentTheme(): Promise<string | undefined> {
    return this.page.evaluate(() => document.documentElement.dataset.theme);
  }
}

/** Words in a `/long N` echo reply; the echo agent streams exactly N words. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
