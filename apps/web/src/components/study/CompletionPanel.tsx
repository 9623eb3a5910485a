import { useEffect, useRef } from 'react';
import { useAppState, useController } from '../../AppContext.tsx';
import { mayStartNewChat, safeHttpUrl, type ComposerClosure } from '../../store/study.ts';
import { AgentMarkdown } from '../chat/AgentMarkdown.tsx';
import { CopyButton } from '../chat/CopyButton.tsx';
import { hostOf } from './limitsText.ts';

const HEADINGS: Record<ComposerClosure['reason'], string> = {
  finished: 'This conversation has ended',
  chat_closed: 'This conversation has ended',
  read_only: 'This conversation can only be read',
  unavailable: 'Messages cannot be sent right now',
};

/**
 * Shown where the message box was once the study closes this chat: the study's closing message,
 * the completion code to copy and the link back to the recruiting site, or why an older chat is
 * read-only. Focus moves here when the box it replaces had it, so keyboard users are not lost.
 */
export function CompletionPanel({ closure }: { closure: ComposerClosure }) {
  const controller = useController();
  const canStartChat = useAppState((s) => mayStartNewChat(s) && s.study?.state === 'active');
  const heading = useRef<HTMLHeadingElement>(null);
  const { completion, reason } = closure;
  const redirect = safeHttpUrl(completion?.redirectUrl ?? null);

  useEffect(() => {
    if (!document.activeElement || document.activeElement === document.body) heading.current?.focus();
  }, []);

  return (
    <section className="completion" aria-labelledby="completion-title" data-testid="completion" data-reason={reason}>
      <h2 id="completion-title" className="completion__title" tabIndex={-1} ref={heading}>
        {HEADINGS[reason]}
      </h2>
      {reason === 'read_only' ? (
        <p className="completion__text">It took place before the current study and cannot be continued.</p>
      ) : completion ? (
        <div className="completion__text">
          <AgentMarkdown text={completion.message} />
        </div>
      ) : (
        <p className="completion__text">This conversation has reached its message limit.</p>
      )}
      {completion?.completionCode && (
        <div className="completion__code">
          <span className="completion__code-label" id="completion-code-label">
            Your completion code
          </span>
          <code className="completion__code-value" aria-labelledby="completion-code-label" data-testid="completion-code">
            {completion.completionCode}
          </code>
          <CopyButton text={completion.completionCode} label="Copy completion code" />
        </div>
      )}
      {(redirect || canStartChat) && (
        <div className="completion__actions">
          {canStartChat && (
            <button type="button" className="button button--secondary" onClick={controller.newChat}>
              Start a new chat
            </button>
          )}
          {redirect && (
            // Same tab: the participant is done here, and the recruiting site takes over.
            <a className="button button--primary completion__link" href={redirect} rel="noopener noreferrer">
              Continue to {hostOf(redirect)}
            </a>
          )}
        </div>
      )}
    </section>
  );
}
