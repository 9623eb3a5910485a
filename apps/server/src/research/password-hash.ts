import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The researcher's password, stored by the operator as a self-describing scrypt hash:
 *
 *   scrypt:N=32768,r=8,p=1:<salt, base64url>:<key, base64url>
 *
 * Every parameter travels in the string, so stronger parameters can be chosen later without
 * breaking hashes made earlier. No "$" (a shell or an env file would expand it) and no spaces.
 */

export interface PasswordHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const FORMAT = /^scrypt:N=(\d+),r=(\d+),p=(\d+):([A-Za-z0-9_-]{16,}):([A-Za-z0-9_-]{32,})$/;

export class PasswordHashFormatError extends Error {
  override name = 'PasswordHashFormatError';
}

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }, keyLength: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; allow that plus headroom rather than Node's 32 MiB default.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, params: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params, KEY_LENGTH);
  return `scrypt:N=${params.N},r=${params.r},p=${params.p}:${salt.toString('base64url')}:${key.toString('base64url')}`;
}

/** Reads a hash made by hashPassword; throws PasswordHashFormatError saying what is wrong. */
export function parsePasswordHash(text: string): PasswordHash {
  const match = FORMAT.exec(text.trim());
  if (!match) throw new PasswordHashFormatError('must look like scrypt:N=32768,r=8,p=1:<salt>:<key>; make one with scripts/hash_password.sh');
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds keep a mistyped hash from making every login allocate gigabytes.
  if (N < 2 ** 10 || N > 2 ** 20 || (N & (N - 1)) !== 0) throw new PasswordHashFormatError('N must be a power of two from 1024 to 1048576');
  if (r < 1 || r > 32) throw new PasswordHashFormatError('r must be from 1 to 32');
  if (p < 1 || p > 16) throw new PasswordHashFormatError('p must be from 1 to 16');
  return { N, r, p, salt: Buffer.from(match[4]!, 'base64url'), key: Buffer.from(match[5]!, 'base64url') };
}

/** Constant-time comparison of the derived key with the stored one. */
export async function verifyPassword(password: string, hash: PasswordHash): Promise<boolean> {
  const key = await derive(password, hash.salt, hash, hash.key.length);
  return timingSafeEqual(key, hash.key);
}
