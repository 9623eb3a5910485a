import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../apps/server/src/research/password-hash.ts';
import { startStack, type Stack } from './stack.ts';

/**
 * A backend running a study, for the study and researcher specs: consent required, two
 * conditions, two messages per chat, a completion code and a redirect, one conversation per
 * participant, and a researcher password. The other specs keep their study-free stack.
 */
export const STUDY = {
  id: 'e2e-study',
  conditions: ['neutral', 'warm'],
  maxTurnsPerChat: 2,
  completionCode: 'C0MPL3T3',
  redirectUrl: 'https://app.prolific.com/submissions/complete?cc=C0MPL3T3',
  consentHeading: 'Taking part in this study',
} as const;

export const RESEARCHER_PASSWORD = 'correct horse battery staple';

export function studyAgentConfig(): object {
  return {
    agent: { provider: 'echo', echoDelayMs: 20 },
    study: {
      id: STUDY.id,
      consent: {
        required: true,
        text: [
          `# ${STUDY.consentHeading}`,
          '',
          'You will chat with an AI agent for a few minutes. Your messages are stored for research, together with your Prolific ID.',
          '',
          '- You may stop at any time by closing this page.',
          '- Nothing you write is shared outside the research team.',
          '',
          '**Do you agree to take part?**',
        ],
      },
      conditions: { neutral: {}, warm: { systemPrompt: 'You are warm and encouraging.' } },
      limits: {
        maxTurnsPerChat: STUDY.maxTurnsPerChat,
        maxMinutes: 30,
        closedMessage: '**Thank you!** This part of the study is over. Please return to Prolific with the code below.',
        completionCode: STUDY.completionCode,
        redirectUrl: STUDY.redirectUrl,
      },
      permissions: { renameChats: false, multipleChats: false, showModelName: false },
    },
  };
}

export async function startStudyStack(): Promise<Stack & { dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-study-'));
  const stack = await startStack({
    dir,
    agentConfig: studyAgentConfig(),
    backendEnv: {
      // Made with the server's own function, as scripts/hash_password.sh does.
      RESEARCHER_PASSWORD_HASH: await hashPassword(RESEARCHER_PASSWORD),
      // The specs log in a few times from one address; the production limit is 5 a minute.
      RESEARCHER_LOGIN_ATTEMPTS_PER_MINUTE: '100',
      EXPORT_SALT: 'e2e-export-salt-0123456789abcdef',
    },
  });
  return {
    ...stack,
    dir,
    async stop() {
      await stack.stop();
      if (process.env.E2E_KEEP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };
}
