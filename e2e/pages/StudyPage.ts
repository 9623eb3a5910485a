import { expect, type Locator, type Page } from '@playwright/test';

/** What a study adds to the participant's page: the consent gate, the closing panel, limits and feedback. */
export class StudyPage {
  readonly consentText: Locator;
  readonly acceptButton: Locator;
  readonly declineButton: Locator;
  readonly confirmDeclineButton: Locator;
  readonly declinedScreen: Locator;
  readonly completion: Locator;
  readonly completionCode: Locator;
  readonly copyCodeButton: Locator;
  readonly redirectLink: Locator;
  readonly limits: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.consentText = page.getByTestId('consent-text');
    this.acceptButton = page.getByRole('button', { name: 'Accept', exact: true });
    this.declineButton = page.getByRole('button', { name: 'Decline', exact: true });
    this.confirmDeclineButton = page.getByRole('button', { name: 'Yes, decline' });
    this.declinedScreen = page.getByTestId('declined');
    this.completion = page.getByTestId('completion');
    this.completionCode = page.getByTestId('completion-code');
    this.copyCodeButton = page.getByRole('button', { name: 'Copy completion code' });
    this.redirectLink = this.completion.getByRole('link');
    this.limits = page.getByTestId('study-limits');
    this.status = page.getByTestId('study-status');
  }

  /** Opens the study link the way a recruiting site sends participants, e.g. `?PROLIFIC_PID=…&STUDY_ID=…`. */
  async openStudyLink(params: Record<string, string>): Promise<void> {
    await this.page.goto(`/?${new URLSearchParams(params)}`);
  }

  async accept(): Promise<void> {
    await expect(this.consentText).toBeVisible();
    await this.acceptButton.click();
  }

  thumb(reply: Locator, rating: 'up' | 'down'): Locator {
    return reply.getByRole('button', { name: rating === 'up' ? 'Good reply' : 'Bad reply' });
  }
}
