// SQLite backup and restore for backup_db.sh / restore_db.sh, through the backend's own better-sqlite3
// (the sqlite3 command-line tool is often not installed on lab servers).
//
//   node sqlite-tool.cjs backup  <live.db> <dest.db>    consistent online copy, verified, then renamed into place
//   node sqlite-tool.cjs check   <file.db>              integrity check and row counts
//   node sqlite-tool.cjs restore <backup.db> <live.db>  replace a (stopped) live database with a verified backup
//
// Output: human-readable lines; the last line is "tables: Name=count ...".
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

function openDb(file, options) {
  let Database;
  try {
    Database = require(require.resolve('better-sqlite3', { paths: [path.join(ROOT, 'apps', 'server')] }));
  } catch {
    fail('better-sqlite3 is not installed: run scripts/install.sh');
  }
  return new Database(file, options);
}

function fail(message) {
  process.stderr.write(`sqlite-tool: ${message}\n`);
  process.exit(1);
}

/** Runs the integrity check and counts the rows of every table; throws when the file is not a sound database. */
function inspect(file) {
  const db = openDb(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`integrity check of ${file} failed: ${result}`);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    return tables.map((t) => `${t}=${db.prepare(`SELECT count(*) FROM "${t.replace(/"/g, '""')}"`).pluck().get()}`);
  } finally {
    db.close();
  }
}

function fsyncFile(file) {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function backup(source, dest) {
  if (!fs.existsSync(source)) fail(`no database at ${source}`);
  const partial = `${dest}.partial`;
  fs.rmSync(partial, { force: true });
  // VACUUM INTO reads inside one transaction: a consistent snapshot even while the backend writes (WAL lets
  // both proceed), unlike a file copy, which can catch the database file and its -wal in different states.
  // Unlike the page-by-page backup API it never restarts when the server writes in between.
  const db = openDb(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(partial);
  } finally {
    db.close();
  }
  let tables;
  try {
    tables = inspect(partial);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    fail(err.message);
  }
  fsyncFile(partial);
  // Only a complete, verified file ever carries the final name.
  fs.renameSync(partial, dest);
  process.stdout.write(`backup: ${dest} (${fs.statSync(dest).size} bytes, integrity ok)\n`);
  process.stdout.write(`tables: ${tables.join(' ')}\n`);
}

function check(file) {
  if (!fs.existsSync(file)) fail(`no file at ${file}`);
  try {
    const tables = inspect(file);
    process.stdout.write(`integrity ok: ${file}\ntables: ${tables.join(' ')}\n`);
  } catch (err) {
    fail(err.message);
  }
}

function restore(backupFile, live) {
  if (!fs.existsSync(backupFile)) fail(`no backup at ${backupFile}`);
  let tables;
  try {
    tables = inspect(backupFile);
  } catch (err) {
    fail(err.message);
  }
  fs.mkdirSync(path.dirname(live), { recursive: true });
  if (fs.existsSync(live)) {
    // Fold the current database's WAL into it first, so the copy kept aside is complete on its own; a
    // stale -wal next to the restored file would otherwise be replayed into it and corrupt it.
    const db = openDb(live, { fileMustExist: true });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const aside = `${live}.before-restore-${stamp}`;
    fs.renameSync(live, aside);
    process.stdout.write(`previous database kept at ${aside}\n`);
  }
  for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(`${live}${suffix}`, { force: true });
  const partial = `${live}.restoring`;
  fs.copyFileSync(backupFile, partial);
  fsyncFile(partial);
  fs.renameSync(partial, live);
  process.stdout.write(`restored ${backupFile} -> ${live}\ntables: ${tables.join(' ')}\n`);
}

const [command, a, b] = process.argv.slice(2);
if (command === 'backup' && a && b) backup(a, b);
else if (command === 'check' && a) check(a);
else if (command === 'restore' && a && b) restore(a, b);
else fail('usage: sqlite-tool.cjs backup <live.db> <dest.db> | check <file.db> | restore <backup.db> <live.db>');
