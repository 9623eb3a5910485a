import { mapLimit } from './stats.ts';

/** A participant as a real client holds one: a session token from the login, and a chat. */
export interface Participant {
  username: string;
  token: string;
  userId: string;
  chatId: string | null;
}

async function postJson(url: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** Logs in `count` users through the real REST API (the server creates them), `concurrency` at a time. */
export async function loginMany(baseUrl: string, prefix: string, count: number, concurrency = 16): Promise<Participant[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  return mapLimit(names, concurrency, async (username) => {
    const body = await postJson(`${baseUrl}/api/auth/login`, { username });
    return { username, token: body.token as string, userId: body.user.id as string, chatId: null };
  });
}

/** Gives each participant a chat (POST /api/chats: a user's empty chat is reused, as in the UI). */
export async function createChats(baseUrl: string, participants: Participant[], concurrency = 16): Promise<void> {
  await mapLimit(participants, concurrency, async (p) => {
    const body = await postJson(`${baseUrl}/api/chats`, undefined, p.token);
    p.chatId = body.chat.id as string;
  });
}

/** Participants for the baseline: same shape, no server state behind them. */
export function fakeParticipants(count: number): Participant[] {
  return Array.from({ length: count }, (_, i) => ({ username: `b-${i}`, token: '', userId: `b-${i}`, chatId: `chat-${i}` }));
}
