import path from 'node:path';
import dotenv from 'dotenv';
import { REPO_ROOT } from './paths.ts';

/** Loads `<repo>/.env` if present; variables already set in the environment win. */
export function loadEnvFile(): void {
  dotenv.config({ path: path.join(REPO_ROOT, '.env'), quiet: true });
}
