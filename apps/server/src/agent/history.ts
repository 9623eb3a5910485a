import type { ChatTurn } from './providers/types.ts';

/** The fields of a stored chat message that matter to the model (the protocol's Message fits). */
export interface StoredMessageLike {
  role: string;
  content: string;
  status: string;
}

/** About 4 characters per token for English text: 48,000 characters ≈ 12,000 tokens. */
export const DEFAULT_CONTEXT_CHARS = 48_000;

/** Only finished text is history: a `streaming` row is the reply being written, an `error` row failed. */
const USABLE_STATUSES = new Set(['complete', 'interrupted']);

/**
 * Turns a chat's stored messages (oldest first) into the turns sent to the model.
 *
 * The bound: the kept turns' content totals at most `budgetChars` characters (≈ budgetChars / 4
 * tokens). The default 48,000 (≈ 12k tokens) leaves room for the system prompt and the reply
 * even in a small local model's context window, and caps the cost and latency of long chats
 * on hosted models. Counting characters, not tokens, keeps this free of tokenizer
 * dependencies; the 4:1 ratio is conservative for English and over-generous for some
 * languages, which the headroom absorbs.
 *
 * Rules, in order:
 * 1. Keep user/assistant messages that are `complete` or `interrupted` (an interrupted reply
 *    is what the participant saw) with non-blank content. Failed (`error`) replies are skipped.
 * 2. End at the latest user message: that is the turn being answered. Anything after it is
 *    dropped (a trailing assistant turn would read as a prefill to Anthropic).
 * 3. Always keep that latest user message, even if it alone exceeds the budget (the protocol's
 *    message length limit keeps it far below the default).
 * 4. Walk back from it, keeping older messages while they fit; stop at the first that does not,
 *    so the model sees one contiguous recent stretch of the chat, never a chat with holes.
 * 5. Drop leading assistant turns (Anthropic requires the first turn to be the user's) and
 *    merge consecutive same-role turns (after a failed or empty reply two user messages are
 *    adjacent; both APIs expect alternation).
 *
 * Returns [] when there is no user message to answer.
 */
export function buildHistory(messages: readonly StoredMessageLike[], budgetChars: number = DEFAULT_CONTEXT_CHARS): ChatTurn[] {
  const usable: ChatTurn[] = [];
  for (const message of messages) {
    if (message.role !== 'user' && message.role !== 'assistant') continue;
    if (!USABLE_STATUSES.has(message.status) || message.content.trim().length === 0) continue;
    usable.push({ role: message.role, content: message.content });
  }

  let latestUser = -1;
  for (let i = usable.length - 1; i >= 0; i--) {
    if (usable[i]!.role === 'user') {
      latestUser = i;
      break;
    }
  }
  if (latestUser < 0) return [];

  let first = latestUser;
  let used = usable[latestUser]!.content.length;
  while (first > 0 && used + usable[first - 1]!.content.length <= budgetChars) {
    first--;
    used += usable[first]!.content.length;
  }

  const turns: ChatTurn[] = [];
  for (const turn of usable.slice(first, latestUser + 1)) {
    if (turns.length === 0 && turn.role !== 'user') continue;
    const previous = turns.at(-1);
    if (previous && previous.role === turn.role) previous.content = `${previous.content}\n\n${turn.content}`;
    else turns.push({ ...turn });
  }
  return turns;
}
