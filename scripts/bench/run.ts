// `pnpm bench`: Parley's load benchmark. Starts the real backend in production mode (pinned to core 0)
// and a bare `ws` baseline, drives both through the protocol from this process (pinned to core 1),
// and prints one JSON line per scenario and a Markdown table. See docs/performance.md.
//
//   pnpm bench                       every scenario, full size (about 10 minutes)
//   pnpm bench --only=send-ack,crash some scenarios
//   pnpm bench --quick               small sizes, for trying the harness
//   pnpm bench --cpu-prof            write a V8 CPU profile of the server (send-ack phase)
//   pnpm bench --out=results.json    also write everything measured to a file
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBench, SCENARIOS, type ScenarioName } from './bench.ts';
import { canPin, CLIENT_CORE, REPO_ROOT } from './lib/processes.ts';
import { FULL_SIZES, QUICK_SIZES } from './sizes.ts';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key!, value ?? 'true'] as const;
  }),
);
for (const key of args.keys()) {
  if (!['only', 'quick', 'cpu-prof', 'out', 'no-pin'].includes(key)) {
    console.error(`unknown option --${key}; see the top of scripts/bench/run.ts`);
    process.exit(2);
  }
}

// Inside the re-run below this process sees one core (its own), so the decision is inherited.
const pin = process.env.PARLEY_BENCH_PINNED === '1' || (!args.has('no-pin') && canPin() && os.cpus().length >= 2);
// The load generator belongs on its own core: re-run this script under taskset, once.
if (pin && process.env.PARLEY_BENCH_PINNED !== '1') {
  const result = spawnSync('taskset', ['-c', CLIENT_CORE, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, PARLEY_BENCH_PINNED: '1' },
  });
  process.exit(result.status ?? 1);
}

const only = args.get('only')?.split(',') as ScenarioName[] | undefined;
for (const name of only ?? []) {
  if (!SCENARIOS.includes(name)) {
    console.error(`unknown scenario ${name}; one of ${SCENARIOS.join(', ')}`);
    process.exit(2);
  }
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
const outcome = await runBench({
  dir,
  pin,
  scenarios: only ?? [...SCENARIOS],
  sizes: args.has('quick') ? QUICK_SIZES : FULL_SIZES,
  cpuProfile: args.has('cpu-prof'),
  log: (message) => console.error(message),
  emit: (line) => console.log(line),
});
console.log(`\n${outcome.table}\n`);
if (args.has('out')) {
  const out = path.resolve(REPO_ROOT, args.get('out')!);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(outcome, null, 2));
}
if (!args.has('cpu-prof')) fs.rmSync(dir, { recursive: true, force: true });
else console.error(`server CPU profile(s) in ${dir}/profiles`);
process.exit(0);
