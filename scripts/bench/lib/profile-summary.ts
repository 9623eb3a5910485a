/** The parts of a V8 .cpuprofile this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Which package (or Parley folder) a script URL belongs to. */
function owner(url: string): string {
  if (!url) return '(native / V8)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const parley = /apps\/server\/src\/([^/]+)/.exec(url);
  if (parley) return parley[1] === 'db' && url.includes('/generated/') ? 'prisma (generated client)' : `parley/${parley[1]}`;
  const protocol = /packages\/protocol/.test(url);
  if (protocol) return '@parley/protocol';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

/**
 * Self time by package and by function, as shares of the samples, biggest first. With `lastSeconds`,
 * only the end of the profile counts (the load phase, not the start-up and logins before it).
 */
export function summarizeProfile(profile: CpuProfile, options: { top?: number; lastSeconds?: number } = {}): string {
  const top = options.top ?? 25;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const totalUs = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const fromUs = options.lastSeconds === undefined ? 0 : totalUs - options.lastSeconds * 1e6;
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed >= fromUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') idle += us;
    const o = frame.functionName.startsWith('(') ? frame.functionName : owner(frame.url);
    byOwner.set(o, (byOwner.get(o) ?? 0) + us);
    const f = `${frame.functionName || '(anonymous)'} ${owner(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(f, (byFunction.get(f) ?? 0) + us);
  }
  // Inclusive time of Parley's own functions: what each code path costs with everything it calls.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!owner(frame.url).startsWith('parley/')) continue;
      const name = `${frame.functionName || '(anonymous)'} ${owner(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const rows = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `  ${pct(us)}  ${k}`);
  return [
    `total ${(total / 1e6).toFixed(1)} s sampled, idle ${pct(idle)}`,
    'self time by package:',
    ...rows(byOwner),
    'self time by function:',
    ...rows(byFunction),
    "inclusive time of Parley's functions:",
    ...rows(inclusive),
  ].join('\n');
}
