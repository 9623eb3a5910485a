import path from 'node:path';

/** The repository root, found from this file's location so that no path depends on the working directory. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

/** Resolves a relative path against the repository root; absolute paths pass through. */
export function fromRepoRoot(p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(REPO_ROOT, p);
}
