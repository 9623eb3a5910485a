import { MESSAGE_MAX_LENGTH } from '@parley/protocol';
import { AppError } from '../http/app-error.ts';

/** The rules for a participant's message, shared by the socket and REST paths. */
export function checkMessageContent(content: string): void {
  if (content.trim().length === 0) throw new AppError('message_empty', 'The message is empty.');
  if (content.length > MESSAGE_MAX_LENGTH) {
    throw new AppError('message_too_long', `The message is too long (at most ${MESSAGE_MAX_LENGTH} characters).`);
  }
}

export const DEFAULT_CHAT_TITLE = 'New chat';
const AUTO_TITLE_LENGTH = 60;

/** A chat's first message names it, like the chat UIs participants know. */
export function titleFromFirstMessage(content: string): string {
  // Markdown emphasis and heading marks would show literally in the sidebar.
  const firstLine = content.trim().split('\n')[0]!.replace(/^#+\s*/, '').replace(/[*`_~]+/g, '').replace(/\s+/g, ' ').trim() || 'New chat';
  return firstLine.length > AUTO_TITLE_LENGTH ? `${firstLine.slice(0, AUTO_TITLE_LENGTH - 1).trimEnd()}…` : firstLine;
}
