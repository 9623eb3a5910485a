import { useEffect, useRef, useState } from 'react';
import { useAppState, useStudyController } from '../../AppContext.tsx';
import { AgentMarkdown } from '../chat/AgentMarkdown.tsx';

const FALLBACK_TEXT = 'Please confirm that you agree to take part in this study.';

/**
 * The consent gate: the study's consent text and nothing else until the participant answers.
 * Declining is final, so it asks once more before sending it.
 */
export function ConsentView() {
  const study = useStudyController();
  const text = useAppState((s) => s.study?.consent.text ?? null);
  const [busy, setBusy] = useState(false);
  const [confirmingDecline, setConfirmingDecline] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  // Screen-reader and keyboard users start at the top of the form, not somewhere in the page.
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    if (confirmingDecline) confirmButton.current?.focus();
  }, [confirmingDecline]);

  async function decide(accept: boolean) {
    if (busy) return;
    setBusy(true);
    setError(null);
    const problem = await study.decideConsent(accept);
    // On success this view is replaced by the chat or the final screen.
    if (problem) {
      setError(problem);
      setBusy(false);
    }
  }

  return (
    <section className="study-screen" aria-labelledby="consent-title">
      <div className="study-card study-card--consent">
        <h2 id="consent-title" className="study-card__eyebrow" tabIndex={-1} ref={heading}>
          Consent to take part
        </h2>
        <div className="consent__text" role="region" aria-label="Consent information" tabIndex={0} data-testid="consent-text">
          <AgentMarkdown text={text ?? FALLBACK_TEXT} />
        </div>
        {error && (
          <p className="study-card__error" role="alert">
            {error}
          </p>
        )}
        {confirmingDecline ? (
          <div className="study-card__confirm" role="group" aria-labelledby="decline-question">
            <p id="decline-question">Declining is final: you will not be able to take part in this study. Decline anyway?</p>
            <div className="study-card__actions">
              <button type="button" className="button button--secondary" onClick={() => setConfirmingDecline(false)} disabled={busy}>
                Go back
              </button>
              <button type="button" className="button button--danger" ref={confirmButton} onClick={() => void decide(false)} disabled={busy}>
                Yes, decline
              </button>
            </div>
          </div>
        ) : (
          <div className="study-card__actions">
            <button type="button" className="button button--secondary" onClick={() => setConfirmingDecline(true)} disabled={busy}>
              Decline
            </button>
            <button type="button" className="button button--primary" onClick={() => void decide(true)} disabled={busy}>
              {busy ? 'Saving…' : 'Accept'}
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
