import { expect, type Locator, type Page } from '@playwright/test';

/** The login form shown inside the main layout when nobody is logged in. */
export class LoginPage {
  readonly username: Locator;
  readonly accessCode: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.username = page.getByLabel('Username');
    this.accessCode = page.getByLabel('Access code');
    this.submit = page.getByRole('button', { name: 'Start chatting' });
    this.error = page.locator('#login-error');
  }

  async goto(): Promise<void> {
    await this.page.goto('/');
    await expect(this.username).toBeVisible();
  }

  async login(username: string, accessCode?: string): Promise<void> {
    await this.username.fill(username);
    if (accessCode !== undefined) await this.accessCode.fill(accessCode);
    await this.submit.click();
  }
}
