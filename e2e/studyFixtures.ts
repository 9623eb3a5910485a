import type { Stack } from './support/stack.ts';
import { startStudyStack } from './support/studyStack.ts';
import { ResearchPage } from './pages/ResearchPage.ts';
import { StudyPage } from './pages/StudyPage.ts';
import { expect, test as base } from './fixtures.ts';

interface StudyFixtures {
  study: StudyPage;
  research: ResearchPage;
  /** A Prolific-style participant id no other test uses. */
  prolificPid: string;
}

/**
 * Tests against the study backend (support/studyStack.ts), started once per worker and shared by
 * the study and researcher specs.
 */
export const test = base.extend<StudyFixtures, { studyStack: Stack }>({
  studyStack: [
    async ({}, use) => {
      const stack = await startStudyStack();
      await use(stack);
      await stack.stop();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ studyStack }, use) => use(studyStack.baseURL),
  study: async ({ page }, use) => use(new StudyPage(page)),
  research: async ({ page }, use) => use(new ResearchPage(page)),
  prolificPid: async ({}, use) => use(`PID${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`.toUpperCase()),
});

export { expect };
