import { z } from 'zod';
import {
  ACCESS_CODE_MAX_LENGTH,
  CHAT_TITLE_MAX_LENGTH,
  CLIENT_MSG_ID_MAX_LENGTH,
  MESSAGE_MAX_LENGTH,
  USERNAME_MAX_LENGTH,
} from './limits.ts';

// Control characters (C0, DEL, C1) make names unprintable in exports and logs.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export const usernameSchema = z
  .string({ error: 'Username must be text.' })
  .trim()
  .min(1, { error: 'Enter a username.' })
  .max(USERNAME_MAX_LENGTH, { error: `A username has at most ${USERNAME_MAX_LENGTH} characters.` })
  .refine((name) => !CONTROL_CHARS.test(name), { error: 'A username cannot contain control characters.' });

export const accessCodeSchema = z.string().max(ACCESS_CODE_MAX_LENGTH);

export const chatIdSchema = z.string().min(1).max(64);

export const clientMsgIdSchema = z
  .string()
  .min(1, { error: 'clientMsgId is required.' })
  .max(CLIENT_MSG_ID_MAX_LENGTH, { error: `clientMsgId has at most ${CLIENT_MSG_ID_MAX_LENGTH} characters.` });

export const chatTitleSchema = z
  .string()
  .trim()
  .min(1, { error: 'A title cannot be empty.' })
  .max(CHAT_TITLE_MAX_LENGTH, { error: `A title has at most ${CHAT_TITLE_MAX_LENGTH} characters.` })
  .refine((title) => !CONTROL_CHARS.test(title), { error: 'A title cannot contain control characters.' });

/**
 * Message content is checked by the server, not the schema, so that an empty or over-long message
 * gets its own error code (message_empty / message_too_long) carrying the clientMsgId.
 */
export const messageContentSchema = z
  .string({ error: 'content must be text.' })
  .describe(
    `At most ${MESSAGE_MAX_LENGTH.toLocaleString('en')} characters (\`MESSAGE_MAX_LENGTH\`, counted in UTF-16 code units as JavaScript's \`length\`) and not blank; the server refuses a longer one with \`message_too_long\` and a blank one with \`message_empty\`.`,
  );
