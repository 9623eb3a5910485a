// Entry point of scripts/export.sh; the export itself lives with the backend's research code.
import { runExportCli } from '../../apps/server/src/research/export/export-cli.ts';

runExportCli(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`export: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
