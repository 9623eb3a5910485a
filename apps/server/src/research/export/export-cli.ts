// The research export from the command line (scripts/export.sh): the same records as
// GET /api/research/export, by the same code, written straight from the database the backend
// uses. DATABASE_URL and EXPORT_SALT are read like the backend reads them (environment, then .env).
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { describeIssues, exportQuerySchema } from '@parley/protocol';
import { ConfigError, loadConfig } from '../../config/config.ts';
import { loadEnvFile } from '../../config/env-file.ts';
import { openDatabase } from '../../db/database.ts';
import { createLogger } from '../../logging/logger.ts';
import { writeExport, type ExportSink } from './export-stream.ts';
import { createPseudonymizer } from './pseudonymize.ts';

function fail(message: string, code = 1): never {
  process.stderr.write(`export: ${message}\n`);
  process.exit(code);
}

/** Writes with backpressure: resolves when the stream can take more. */
function streamSink(stream: Writable): ExportSink {
  return {
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        stream.once('error', onError);
        const more = stream.write(chunk, () => stream.off('error', onError));
        if (more) resolve();
        else stream.once('drain', resolve);
      }),
  };
}

/** scripts/export.sh's command line; `argv` without node and the script. */
export async function runExportCli(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        format: { type: 'string', default: 'jsonl' },
        study: { type: 'string' },
        condition: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        pseudonymize: { type: 'boolean', default: false },
        out: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    fail(`${(err as Error).message} (see --help)`, 2);
  }
  // The same validation as the HTTP endpoint's query string.
  const parsed = exportQuerySchema.safeParse({ ...args, pseudonymize: args.pseudonymize ? '1' : '0', out: undefined });
  if (!parsed.success) fail(describeIssues(parsed.error), 2);
  const query = parsed.data;

  loadEnvFile();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  if (query.pseudonymize && !config.exportSalt) {
    process.stderr.write('export: EXPORT_SALT is not set: pseudonyms are made with a one-off key and will not match any other export\n');
  }

  const database = await openDatabase(config.databaseUrl, createLogger('silent'));
  // A file is written under a temporary name and renamed when complete: a failed export never
  // leaves a truncated file that looks finished.
  const partial = args.out ? `${path.resolve(args.out)}.partial` : null;
  const stream: Writable = partial ? fs.createWriteStream(partial, { mode: 0o600 }) : process.stdout;
  try {
    const counts = await writeExport(
      database.prisma,
      { format: query.format, filters: { study: query.study, condition: query.condition, from: query.from, to: query.to }, pseudo: createPseudonymizer(query.pseudonymize, config.exportSalt) },
      streamSink(stream),
    );
    if (partial) {
      await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
      fs.renameSync(partial, path.resolve(args.out!));
    }
    process.stderr.write(`export: ${counts.participants} participants, ${counts.conversations} conversations, ${counts.messages} messages${args.out ? ` written to ${args.out}` : ''}\n`);
  } catch (err) {
    if (partial) fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    await database.close();
  }
}

