import { z } from 'zod';
import { ERROR_STATUS } from './errors.ts';
import { PROTOCOL_VERSION } from './limits.ts';
import * as research from './research.ts';
import * as rest from './rest.ts';
import * as study from './study.ts';
import { CLOSE_CODE_MEANINGS, CLOSE_CODES, clientFrameSchema, serverFrameSchema } from './socket.ts';

/**
 * Renders docs/protocol.md from the schemas themselves, so the document cannot drift from the code:
 * a test compares the committed file with this output (`pnpm docs:protocol` rewrites it).
 */

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  $ref?: string;
};

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' \\| ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'unknown'}[]`;
  if (schema.type === 'object' && schema.properties) {
    return `{ ${Object.entries(schema.properties)
      .map(([k, v]) => `${k}${schema.required?.includes(k) ? '' : '?'}: ${typeOf(v)}`)
      .join(', ')} }`;
  }
  if (schema.type === 'object') return 'object';
  const base = Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'unknown');
  const bounds = [
    schema.minLength !== undefined ? `≥${schema.minLength} chars` : '',
    schema.maxLength !== undefined ? `≤${schema.maxLength} chars` : '',
    // zod marks every integer with the safe-integer range; only real bounds are worth printing.
    schema.minimum !== undefined && schema.minimum > Number.MIN_SAFE_INTEGER ? `≥${schema.minimum}` : '',
    schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? `≤${schema.maximum}` : '',
  ].filter(Boolean);
  return bounds.length ? `${base} (${bounds.join(', ')})` : base;
}

function fieldTable(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  // A field's own description (e.g. a limit the server checks outside the schema) follows its type.
  const rows = Object.entries(json.properties ?? {}).map(([name, field]) => {
    const type = field.description ? `${typeOf(field)}. ${field.description}` : typeOf(field);
    return `| \`${name}\` | ${json.required?.includes(name) ? 'yes' : 'no'} | ${type.replace(/\n/g, ' ')} |`;
  });
  return ['| field | required | type |', '| --- | --- | --- |', ...rows].join('\n');
}

function frameSection(options: readonly z.ZodObject[]): string {
  return options
    .map((frame) => {
      const type = (frame.shape.type as z.ZodLiteral<string>).value;
      return `### \`${type}\`\n\n${frame.description ?? ''}\n\n${fieldTable(frame)}`;
    })
    .join('\n\n');
}

const ENDPOINTS: [string, string, z.ZodType | null, z.ZodType | null][] = [
  ['GET /api/config', 'What the login form needs: whether an access code is required.', null, rest.publicConfigSchema],
  ['POST /api/auth/login', 'Log in (the user is created on first login); sets the HttpOnly session cookie and returns the same token for `Authorization: Bearer`. Rate-limited per address.', rest.loginRequestSchema, rest.loginResponseSchema],
  ['POST /api/auth/logout', 'End the session (204); its open sockets close with 4001.', null, null],
  ['GET /api/me', 'The logged-in user.', null, rest.meResponseSchema],
  ['GET /api/chats', "The caller's chats with at least one message, latest user message first.", null, rest.chatListResponseSchema],
  ['POST /api/chats', 'A new chat (201), or the caller\'s existing empty chat (200, `created: false`).', null, rest.createChatResponseSchema],
  ['GET /api/chats/:id?limit=&before=', 'A page of messages (oldest first) older than the `before` cursor, plus the reply generating now.', rest.chatPageQuerySchema, rest.chatDetailResponseSchema],
  ['PUT /api/chats/:id/title', 'Rename a chat.', rest.renameChatRequestSchema, rest.renameChatResponseSchema],
  ['POST /api/chats/:id/messages', 'Send without a socket: same rules and idempotency as the `send` frame (201 new, 200 duplicate).', rest.postMessageRequestSchema, rest.postMessageResponseSchema],
  ['GET /health', 'Liveness with a database check: 200, or 503 when a required check fails.', null, rest.healthResponseSchema],
  ['GET /api/study', "The caller's study: consent, limits and what remains, permissions, completion. `study` is null when the server runs no study. Never names the condition.", null, study.studyResponseSchema],
  ['POST /api/study/consent', 'Accept or decline the consent text. A decision is final: repeating it answers the same view, changing it is `conflict`.', study.consentRequestSchema, study.consentResponseSchema],
  ['PUT /api/messages/:id/feedback', "Thumbs up/down (null withdraws) and an optional comment on an assistant message of the caller's own chat. Every change is kept; the latest is current.", study.feedbackRequestSchema, study.feedbackResponseSchema],
  ['POST /api/telemetry', 'Client telemetry, as the `telemetry` frame, for `navigator.sendBeacon` when the page is closing (a `text/plain` body holding the JSON is accepted). Event kinds: ' + study.TELEMETRY_KINDS.map((k) => `\`${k}\``).join(', ') + '. 202.', study.telemetryBatchSchema, study.telemetryResponseSchema],
  ['POST /api/research/login', 'Researcher login with the password whose hash is `RESEARCHER_PASSWORD_HASH`; sets the `parley_researcher` cookie (path `/api/research`). Rate-limited per address; `researcher_disabled` when no hash is configured.', research.researcherLoginRequestSchema, research.researcherLoginResponseSchema],
  ['POST /api/research/logout', 'End the researcher session (204).', null, null],
  ['GET /api/research/me', 'The researcher session (401 without one; participant sessions never count).', null, research.researcherMeResponseSchema],
  ['GET /api/research/study', 'The study in force as the server resolved it, and whether the settings file is valid.', null, research.researchStudyResponseSchema],
  ['GET /api/research/dashboard?study=', 'Live counts for the study in force (or `study`): participants, conversations and medians per condition, messages per minute, connections, agent errors.', research.dashboardQuerySchema, research.dashboardResponseSchema],
  ['GET /api/research/participants?study=&condition=&limit=&cursor=', 'Participants, oldest first, a page at a time.', research.participantListQuerySchema, research.participantListResponseSchema],
  ['GET /api/research/conversations?study=&condition=&participant=&limit=&cursor=', 'Conversations with at least one message, oldest first, a page at a time.', research.conversationListQuerySchema, research.conversationListResponseSchema],
  ['GET /api/research/conversations/:id', 'One conversation, read-only, as an export record: every message, the feedback history and the events.', null, research.conversationDetailResponseSchema],
  ['GET /api/research/export?format=&study=&condition=&from=&to=&pseudonymize=', 'The data set, streamed: JSONL (participant records, then one conversation per line) or CSV (one message per row). Records are described in docs/export-schema.json.', research.exportQuerySchema, null],
];

export function renderProtocolDoc(): string {
  const endpoints = ENDPOINTS.map(([route, what, request, response]) =>
    [
      `### \`${route}\``,
      '',
      what,
      ...(request ? ['', 'Request:', '', fieldTable(request)] : []),
      ...(response ? ['', 'Response:', '', fieldTable(response)] : []),
    ].join('\n'),
  ).join('\n\n');
  const errors = Object.entries(ERROR_STATUS)
    .map(([code, status]) => `| \`${code}\` | ${status} |`)
    .join('\n');
  const closes = (Object.entries(CLOSE_CODES) as [keyof typeof CLOSE_CODES, number][])
    .map(([name, code]) => `| ${code} | ${name} | ${CLOSE_CODE_MEANINGS[name]} |`)
    .join('\n');

  return `<!-- Generated from packages/protocol by \`pnpm docs:protocol\`; a test fails when it is out of date. Edit the schemas, not this file. -->
# Parley protocol (version ${PROTOCOL_VERSION})

Every shape below is defined once, in \`packages/protocol\`, as a zod schema that both the server and the web client import; the server validates every request body and every socket frame against it.

## Conventions
- Timestamps are ISO-8601 strings. Ids are opaque strings.
- Every error, REST or socket, carries a \`code\` from the table below and a \`message\` written for people. REST errors are \`{"error":{"code","message"}}\` with the status in the table.
- Another user's chat is answered exactly like a chat that does not exist (\`not_found\`).

## REST

${endpoints}

## WebSocket \`/ws\`

Authenticated during the HTTP upgrade with the session cookie or \`Authorization: Bearer\`; an unknown session is refused with 401, an \`Origin\` that is neither allowed (\`ALLOWED_ORIGINS\`) nor the server's own host with 403. Every frame is one JSON text message with a \`type\`. A malformed or unknown frame is answered with \`error\` and the socket stays open; a frame over \`MAX_FRAME_BYTES\` closes it with 1009; a client sending more than \`WS_FRAMES_PER_SECOND\` frames a second gets a \`rate_limited\` error and its frames over that rate are dropped unhandled, and at twice that rate it is closed with 4008. A socket's frames are handled one at a time, in order; when more than max(64, 2 × \`WS_FRAMES_PER_SECOND\`) of them wait unhandled, the server sends an error frame \`rate_limited\`, then closes with 4008. A user may send \`MESSAGES_PER_MINUTE\` messages a minute over all their sockets and REST; a \`send\` over that is answered with an \`error\` \`rate_limited\` naming its \`clientMsgId\` (nothing is stored) and the socket stays open. A socket that stops reading is terminated (no close frame; the client sees 1006) once more than 1 MiB of output waits unsent to it; a reconnecting client catches up from the REST API and \`hello.streaming\`. The server pings every \`HEARTBEAT_INTERVAL_MS\` and drops sockets that miss a pong.

### Streaming and resume
A reply is \`agent.start\`, then \`agent.delta\` frames numbered by \`seq\` from 0 without gaps, then \`agent.done\` or \`agent.error\`. They go to every socket of the chat's owner. A client that connects while a reply runs finds it in \`hello.streaming\` (text so far and the \`seq\` it ends at); a client that opens a chat may take the running reply from the \`streaming\` field of \`GET /api/chats/:id\`, or send \`resume\` and get \`agent.snapshot\`. Live deltas follow an \`agent.snapshot\` on the same socket with no gap and no duplicate; deltas may arrive before or after a REST response, so merge them by \`seq\`: ignore a \`seq\` you already have, send \`resume\` when you see a gap. The web client takes running replies from \`hello.streaming\` and \`GET /api/chats/:id\` (when it opens a chat and after a reconnect) and sends \`resume\` only when it sees a gap in \`seq\`. Closing a socket never stops a reply; only \`stop\`, a newer user message, or a server shutdown end one early, stored as \`interrupted\` with exactly the text sent.

## Client → server frames

${frameSection(clientFrameSchema.options as unknown as z.ZodObject[])}

## Server → client frames

${frameSection(serverFrameSchema.options as unknown as z.ZodObject[])}

## Error codes

| code | HTTP status |
| --- | --- |
${errors}

## Close codes

| code | name | meaning |
| --- | --- | --- |
${closes}
`;
}
