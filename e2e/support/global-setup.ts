import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startStack } from './stack.ts';

/**
 * Builds the client (skip with E2E_SKIP_BUILD=1 when dist is fresh), starts the shared stack
 * and tells the test workers where it is through the environment they inherit.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    execFileSync('pnpm', ['--filter', '@parley/web', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'));
  const stack = await startStack({ dir, echoDelayMs: 20 });
  process.env.E2E_BASE_URL = stack.baseURL;
  process.env.E2E_TMP_DIR = dir;
  return async () => {
    await stack.stop();
    if (process.env.E2E_KEEP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
  };
}
