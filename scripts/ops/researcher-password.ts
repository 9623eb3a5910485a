// Hashes the researcher's password with the backend's own code (scrypt, see password-hash.ts), for
// scripts/hash_password.sh. The password arrives on stdin, never in argv or the environment, where other
// users' `ps` or /proc could read it.
//
//   node --import tsx researcher-password.ts print          -> RESEARCHER_PASSWORD_HASH=<hash>
//   node --import tsx researcher-password.ts save <file>    -> sets that line in <file> (an .env), prints nothing secret
import fs from 'node:fs';
import path from 'node:path';
import { hashPassword } from '../../apps/server/src/research/password-hash.ts';

const KEY = 'RESEARCHER_PASSWORD_HASH';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Replaces the setting's line (also a commented-out or exported one) or appends it; other lines stay as they were. */
export function setEnvLine(text: string, key: string, value: string): string {
  const line = `${key}=${value}`;
  const pattern = new RegExp(`^[ \\t]*(?:#[ \\t]*)?(?:export[ \\t]+)?${key}[ \\t]*=.*$`, 'm');
  if (pattern.test(text)) return text.replace(pattern, line);
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`;
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  const password = await readStdin();
  if (password.length < 8) {
    process.stderr.write('hash_password: use a password of at least 8 characters\n');
    process.exit(1);
  }
  const hash = await hashPassword(password);
  if (mode === 'print') {
    process.stdout.write(`${KEY}=${hash}\n`);
  } else if (mode === 'save' && file) {
    const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    // The file holds secrets: readable by its owner only, also while it is being replaced.
    fs.writeFileSync(tmp, setEnvLine(before, KEY, hash), { mode: 0o600 });
    if (fs.existsSync(file)) fs.chmodSync(tmp, fs.statSync(file).mode & 0o777);
    fs.renameSync(tmp, file);
  } else {
    process.stderr.write('usage: researcher-password.ts print | save <env-file>\n');
    process.exit(2);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('researcher-password.ts')) void main();
