import { expect, type Locator, type Page } from '@playwright/test';

/** The researcher's page at /research: login, dashboard, lists, conversation viewer and downloads. */
export class ResearchPage {
  readonly password: Locator;
  readonly loginButton: Locator;
  readonly loginError: Locator;
  readonly logoutButton: Locator;
  readonly title: Locator;
  readonly summary: Locator;
  readonly conditions: Locator;
  readonly participants: Locator;
  readonly conversations: Locator;
  readonly viewerMessages: Locator;
  readonly viewerEvents: Locator;
  readonly downloadJsonl: Locator;
  readonly downloadCsv: Locator;

  constructor(readonly page: Page) {
    this.password = page.getByLabel('Password');
    this.loginButton = page.getByRole('button', { name: 'Log in' });
    this.loginError = page.locator('#research-login-error');
    this.logoutButton = page.getByRole('button', { name: 'Log out' });
    this.title = page.getByRole('heading', { level: 1 });
    this.summary = page.getByTestId('summary');
    this.conditions = page.getByTestId('conditions');
    this.participants = page.getByTestId('participants');
    this.conversations = page.getByTestId('conversations');
    this.viewerMessages = page.getByTestId('viewer-messages').locator('li');
    this.viewerEvents = page.getByTestId('viewer-events');
    this.downloadJsonl = page.getByRole('link', { name: 'Download JSONL' });
    this.downloadCsv = page.getByRole('link', { name: 'Download CSV' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/research');
    await expect(this.password.or(this.logoutButton)).toBeVisible();
  }

  async login(password: string): Promise<void> {
    await this.password.fill(password);
    await this.loginButton.click();
  }

  participantRow(participantId: string): Locator {
    return this.participants.locator(`tr[data-participant="${participantId}"]`);
  }

  /** Clicks a download link and returns the downloaded file's text. */
  async download(link: Locator): Promise<string> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), link.click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}
