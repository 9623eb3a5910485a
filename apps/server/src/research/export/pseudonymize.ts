import { createHmac, randomBytes } from 'node:crypto';

export interface Pseudonymizer {
  readonly enabled: boolean;
  /** The value itself when disabled; otherwise its keyed pseudonym (null stays null). */
  id(value: string): string;
  id(value: string | null): string | null;
}

/**
 * Participant ids replaced by HMAC-SHA256(salt, id), hex, shortened to 128 bits. With the same
 * salt (EXPORT_SALT) a participant has the same pseudonym in every export, so exports can be
 * joined; without a configured salt a random one is used per export, so its pseudonyms link to
 * nothing else.
 */
export function createPseudonymizer(enabled: boolean, salt: string | null): Pseudonymizer {
  const key = salt ?? randomBytes(32).toString('hex');
  function id(value: string): string;
  function id(value: string | null): string | null;
  function id(value: string | null): string | null {
    if (!enabled || value === null) return value;
    return createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 32);
  }
  return { enabled, id };
}
