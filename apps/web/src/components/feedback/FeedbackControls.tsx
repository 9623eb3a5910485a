import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { FEEDBACK_COMMENT_MAX_LENGTH, type FeedbackRating, type Message } from '@parley/protocol';
import { useAppState, useStudyController } from '../../AppContext.tsx';
import { nextRating } from '../../store/feedback.ts';
import { composerClosure } from '../../store/study.ts';
import { ThumbDownIcon, ThumbUpIcon } from '../icons.tsx';

interface FeedbackControlsProps {
  message: Message;
  /** The reply's other actions (copy), after the thumbs in the same row. */
  children?: ReactNode;
}

/**
 * Thumbs up/down on a finished reply, and an optional comment once it is rated. The click shows
 * at once; the server's answer (or a `feedback.updated` from another tab) then decides. Clicking
 * the thumb that is on withdraws the rating.
 */
export function FeedbackControls({ message, children }: FeedbackControlsProps) {
  const study = useStudyController();
  const confirmed = message.feedback ?? null;
  // The rating shown while its request runs; null when the stored one is shown.
  const [draft, setDraft] = useState<{ rating: FeedbackRating | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [commenting, setCommenting] = useState(false);
  const latestRequest = useRef(0);
  const formId = useId();
  const rating = draft ? draft.rating : (confirmed?.rating ?? null);
  // A chat from before the running study can only be read: its rating is shown, not changed.
  const readOnly = useAppState((s) => composerClosure(s.study, message.chatId, true)?.reason === 'read_only');

  async function rate(clicked: FeedbackRating) {
    const next = nextRating(rating, clicked);
    const request = ++latestRequest.current;
    setDraft({ rating: next });
    setError(null);
    if (next === null) setCommenting(false);
    // No comment field: the server keeps the comment already written.
    const problem = await study.setFeedback(message.chatId, message.id, { rating: next });
    if (request !== latestRequest.current) return; // a later click is on its way; its answer decides
    setDraft(null);
    if (problem) setError(`Your rating was not saved: ${problem}`);
  }

  return (
    <div className="message__footer">
      <div className="message__actions">
        <div className="feedback" role="group" aria-label="Rate this reply">
          <ThumbButton rating="up" active={rating === 'up'} readOnly={readOnly} onClick={() => void rate('up')} />
          <ThumbButton rating="down" active={rating === 'down'} readOnly={readOnly} onClick={() => void rate('down')} />
        </div>
        {children}
        {rating !== null && !readOnly && (
          <button
            type="button"
            className="message__action"
            aria-expanded={commenting}
            aria-controls={commenting ? formId : undefined}
            onClick={() => setCommenting((open) => !open)}
          >
            {confirmed?.comment ? 'Edit comment' : 'Add a comment'}
          </button>
        )}
      </div>
      {commenting && rating !== null && (
        <CommentForm
          id={formId}
          initial={confirmed?.comment ?? ''}
          onCancel={() => setCommenting(false)}
          onSave={async (comment) => {
            const problem = await study.setFeedback(message.chatId, message.id, { rating, comment: comment || null });
            if (!problem) setCommenting(false);
            return problem;
          }}
        />
      )}
      {error && (
        <p className="feedback__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

const THUMB_LABELS = { up: 'Good reply', down: 'Bad reply' } as const;

function ThumbButton({ rating, active, readOnly, onClick }: { rating: FeedbackRating; active: boolean; readOnly: boolean; onClick: () => void }) {
  const Icon = rating === 'up' ? ThumbUpIcon : ThumbDownIcon;
  const title = readOnly ? 'This conversation is from before the study and can only be read' : active ? `${THUMB_LABELS[rating]} (click again to remove)` : THUMB_LABELS[rating];
  return (
    <button
      type="button"
      className={`message__action feedback__thumb${active ? ' feedback__thumb--active' : ''}`}
      aria-pressed={active}
      aria-label={THUMB_LABELS[rating]}
      title={title}
      disabled={readOnly}
      onClick={onClick}
      data-rating={rating}
    >
      <Icon filled={active} />
    </button>
  );
}

interface CommentFormProps {
  id: string;
  initial: string;
  onCancel: () => void;
  /** Resolves to an error message, or null when saved. */
  onSave: (comment: string) => Promise<string | null>;
}

function CommentForm({ id, initial, onCancel, onSave }: CommentFormProps) {
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => field.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const problem = await onSave(text.trim());
    setBusy(false);
    if (problem) setError(problem);
  }

  return (
    <form id={id} className="feedback__form" onSubmit={submit}>
      <label className="field">
        <span className="field__label">Comment on this reply (optional)</span>
        <textarea
          ref={field}
          className="field__input feedback__comment"
          rows={3}
          maxLength={FEEDBACK_COMMENT_MAX_LENGTH}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onCancel();
          }}
        />
      </label>
      {error && (
        <p className="feedback__error" role="alert">
          Not saved: {error}
        </p>
      )}
      <div className="feedback__form-actions">
        <button type="button" className="button button--secondary button--small" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button--primary button--small" disabled={busy}>
          {busy ? 'Saving…' : 'Save comment'}
        </button>
      </div>
    </form>
  );
}
