import type { ParticipantIds } from '@parley/protocol';
import { apiClient, TestSocket } from '../../testing/clients.ts';

/** Logs in the way a study link does: with the URL's ids (and a username only when given). */
export async function arrive(baseUrl: string, ids: ParticipantIds | string) {
  const body = typeof ids === 'string' ? { username: ids } : { participant: ids };
  const res = await apiClient(baseUrl)('POST', '/api/auth/login', body);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token: string = res.body.token;
  return { token, user: res.body.user as { id: string; username: string }, api: apiClient(baseUrl, token) };
}

export type Arrival = Awaited<ReturnType<typeof arrive>>;

/** A socket past its hello, closed by the caller (or with `sockets.splice(0).forEach(close)`). */
export async function openSocket(wsUrl: string, token: string, sockets: TestSocket[]): Promise<TestSocket> {
  const socket = await TestSocket.connect(wsUrl, { token });
  sockets.push(socket);
  await socket.next('hello');
  return socket;
}

/** Accepts consent and opens a chat: a participant ready to send. */
export async function consentAndChat(participant: Arrival): Promise<string> {
  const consent = await participant.api('POST', '/api/study/consent', { accept: true });
  if (consent.status !== 200) throw new Error(`consent failed: ${JSON.stringify(consent.body)}`);
  const chat = await participant.api('POST', '/api/chats');
  if (chat.status > 201) throw new Error(`new chat failed: ${JSON.stringify(chat.body)}`);
  return chat.body.chat.id as string;
}

export const send = (participant: Arrival, chatId: string, content: string, clientMsgId: string = crypto.randomUUID()) =>
  participant.api('POST', `/api/chats/${chatId}/messages`, { clientMsgId, content });
