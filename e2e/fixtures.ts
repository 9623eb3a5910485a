import { test as base, expect } from '@playwright/test';
import { ChatPage } from './pages/ChatPage.ts';
import { LoginPage } from './pages/LoginPage.ts';
import { Sidebar } from './pages/Sidebar.ts';

interface Fixtures {
  /** A username no other test uses (all tests share one database). */
  username: string;
  loginPage: LoginPage;
  chat: ChatPage;
  sidebar: Sidebar;
  /** Logs in a fresh user and waits until the socket is open. */
  loggedIn: void;
}

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => {
    const url = process.env.E2E_BASE_URL;
    if (!url) throw new Error('E2E_BASE_URL is not set: run through `pnpm exec playwright test` (global setup starts the servers).');
    await use(url);
  },
  username: async ({}, use, testInfo) => {
    await use(`${testInfo.title.replace(/\W+/g, '-').slice(0, 24)}-${Math.random().toString(36).slice(2, 8)}`);
  },
  loginPage: async ({ page }, use) => use(new LoginPage(page)),
  chat: async ({ page }, use) => use(new ChatPage(page)),
  sidebar: async ({ page }, use) => use(new Sidebar(page)),
  loggedIn: async ({ loginPage, chat, username }, use) => {
    await loginPage.goto();
    await loginPage.login(username);
    await chat.expectReady();
    await use();
  },
});

export { expect };
