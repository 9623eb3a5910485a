import Database from 'better-sqlite3';
import { createChats, loginMany } from '../lib/accounts.ts';
import { closeAll, connectMany, type BenchSocket } from '../lib/client.ts';
import type { BenchContext, ScenarioResult } from '../lib/context.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import { startParley, type ParleyServerProcess } from '../lib/servers.ts';
import { round, sleep } from '../lib/stats.ts';

export interface CrashSizes {
  sockets: number;
  rate: number;
  durationMs: number;
  killAtMs: number;
}

interface StoredRow {
  chatId: string;
  clientMsgId: string;
  content: string;
  copies: number;
}

/** Reads the SQLite file directly (not through the server) for what the crash left behind. */
function inspectDatabase(dbFile: string, prefix: string, chatIds: string[]) {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT chatId, clientMsgId, MIN(content) AS content, COUNT(*) AS copies FROM Message WHERE clientMsgId LIKE ? GROUP BY chatId, clientMsgId`)
      .all(`${prefix}-%`) as StoredRow[];
    // Positions of every message in the chats used: 1..n without gaps or repeats, and the chat's count agrees.
    const positionsOk = chatIds.every((chatId) => {
      const p = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT position) AS distinctN, MIN(position) AS lo, MAX(position) AS hi FROM Message WHERE chatId = ?').get(chatId) as { n: number; distinctN: number; lo: number; hi: number };
      const chat = db.prepare('SELECT messageCount FROM Chat WHERE id = ?').get(chatId) as { messageCount: number };
      return p.n === p.distinctN && (p.n === 0 || (p.lo === 1 && p.hi === p.n)) && chat.messageCount === p.n;
    });
    return { rows, positionsOk };
  } finally {
    db.close();
  }
}

/**
 * Scenario 5: kill -9 the server in the middle of the send → ack load, restart it, and let the clients
 * resend what was not acknowledged with the same clientMsgId. Every acknowledged message must be stored
 * exactly once and none lost — checked in the SQLite file itself.
 */
export async function crashScenario(
  ctx: BenchContext,
  parley: ParleyServerProcess,
  sizes: CrashSizes,
  /** Told about the restarted server at once, so the runner stops it even if a check below fails. */
  onRestart: (server: ParleyServerProcess) => void,
): Promise<ScenarioResult> {
  ctx.log(`crash: ${sizes.sockets} sockets at ${sizes.rate}/s, kill -9 after ${sizes.killAtMs / 1000} s`);
  const participants = await loginMany(parley.url, `${ctx.runId}-crash`, sizes.sockets);
  await createChats(parley.url, participants);
  let sockets: BenchSocket[] = await connectMany(parley.wsUrl, sizes.sockets, 1000, (i) => participants[i]!.token);
  const prefix = `${ctx.runId}-crash`;

  let killed = false;
  const killer = sleep(sizes.killAtMs).then(async () => {
    await parley.kill9();
    killed = true;
  });
  const load = await runOpenLoop({ sockets, participants, rate: sizes.rate, durationMs: sizes.durationMs, prefix, shouldStop: () => killed });
  await killer;
  const killedAt = performance.now();
  const sent = load.messages.filter((m) => m.sent);
  const ackedBeforeCrash = sent.filter((m) => m.acked);
  const unacked = sent.filter((m) => !m.acked);
  ctx.log(`  killed: ${sent.length} sent, ${ackedBeforeCrash.length} acked, ${unacked.length} in flight`);
  await closeAll(sockets, 2000);

  const server = await startParley(parley.options);
  onRestart(server);
  const recoverySeconds = round((performance.now() - killedAt) / 1000, 1);
  sockets = await connectMany(server.wsUrl, sizes.sockets, 1000, (i) => participants[i]!.token);

  // Resend every unacknowledged message on its participant's socket, as the web client does.
  const resendAcks = new Map<string, { duplicate: boolean }>();
  for (const socket of sockets) {
    socket.handler = (frame) => {
      if (frame.type === 'ack' && typeof frame.clientMsgId === 'string' && frame.clientMsgId.startsWith(prefix)) {
        resendAcks.set(frame.clientMsgId, { duplicate: frame.duplicate });
      }
    };
  }
  for (const m of unacked) sockets[m.socket]!.send({ type: 'send', chatId: m.chatId, clientMsgId: m.clientMsgId, content: m.content });
  const deadline = performance.now() + 30_000;
  while (resendAcks.size < unacked.length && performance.now() < deadline) await sleep(50);
  await closeAll(sockets);
  const committedBeforeCrash = [...resendAcks.values()].filter((a) => a.duplicate).length;

  const { rows, positionsOk } = inspectDatabase(server.dbFile, prefix, participants.map((p) => p.chatId!));
  const stored = new Map(rows.map((r) => [r.clientMsgId, r]));
  const lostAcked = ackedBeforeCrash.filter((m) => stored.get(m.clientMsgId)?.content !== m.content).length;
  const lostAny = sent.filter((m) => stored.get(m.clientMsgId)?.content !== m.content).length;
  const duplicated = rows.filter((r) => r.copies !== 1).length;
  const sentIds = new Set(sent.map((m) => m.clientMsgId));
  const unknown = rows.filter((r) => !sentIds.has(r.clientMsgId)).length;
  const ok = lostAcked === 0 && lostAny === 0 && duplicated === 0 && unknown === 0 && positionsOk && resendAcks.size === unacked.length;
  ctx.log(`  after restart (${recoverySeconds} s): ${rows.length} rows for ${sent.length} sent; lost ${lostAny}, duplicated ${duplicated}, positions ok ${positionsOk}`);

  return {
      scenario: 'crash',
      figures: [
        { metric: 'acked before kill -9 / in flight', parley: `${ackedBeforeCrash.length} / ${unacked.length}`, baseline: null },
        { metric: 'in flight but already committed (resend acked as duplicate)', parley: committedBeforeCrash, baseline: null },
        { metric: 'acknowledged messages lost', parley: lostAcked, baseline: null, target: '0', pass: lostAcked === 0 },
        { metric: 'messages stored more than once', parley: duplicated, baseline: null, target: '0', pass: duplicated === 0 },
        { metric: 'sent messages missing after resend', parley: lostAny, baseline: null, target: '0', pass: lostAny === 0 && resendAcks.size === unacked.length },
        { metric: 'positions 1..n per chat, chat counts agree', parley: positionsOk ? 'yes' : 'no', baseline: null, target: 'yes', pass: positionsOk },
        { metric: 'kill → restarted and healthy', parley: recoverySeconds, baseline: null, unit: 's' },
      ],
      details: { ...sizes, sent: sent.length, ackedBeforeCrash: ackedBeforeCrash.length, inFlight: unacked.length, resendAcked: resendAcks.size, committedBeforeCrash, rows: rows.length, unknown, ok },
  };
}
