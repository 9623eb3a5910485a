import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits: unguessable, so the token alone is the credential. */
export const newSessionToken = (): string => randomBytes(32).toString('base64url');

/** Sessions are stored by the token's hash, so a leaked database does not leak live sessions. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Compares secrets in constant time (the access code). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
