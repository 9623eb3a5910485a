import { expect, type Locator, type Page } from '@playwright/test';

/** The chat-history sidebar with New chat, the chat list and the user area. */
export class Sidebar {
  readonly nav: Locator;
  readonly items: Locator;
  readonly newChatButton: Locator;
  readonly closeButton: Locator;
  readonly openButton: Locator;
  readonly username: Locator;
  readonly logoutButton: Locator;
  readonly avatar: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Chats' });
    this.items = this.nav.locator('.chat-list__item');
    this.newChatButton = this.nav.getByRole('button', { name: 'New chat' });
    this.closeButton = this.nav.getByRole('button', { name: 'Close sidebar' });
    this.openButton = page.getByRole('button', { name: 'Open sidebar' });
    this.username = page.getByTestId('current-username');
    this.logoutButton = page.getByRole('button', { name: 'Log out' });
    this.avatar = this.nav.locator('.avatar');
  }

  item(title: string): Locator {
    return this.items.filter({ has: this.page.locator('.chat-list__title', { hasText: title }) });
  }

  async titles(): Promise<string[]> {
    return this.items.locator('.chat-list__title').allInnerTexts();
  }

  async newChat(): Promise<void> {
    await this.newChatButton.click();
  }

  async open(title: string): Promise<void> {
    await this.item(title).locator('.chat-list__open').click();
  }

  async rename(title: string, newTitle: string): Promise<void> {
    await this.item(title).getByRole('button', { name: /^Rename chat/ }).click();
    const field = this.nav.getByRole('textbox', { name: 'Chat title' });
    await field.fill(newTitle);
    await field.press('Enter');
    await expect(field).toBeHidden();
  }
}
