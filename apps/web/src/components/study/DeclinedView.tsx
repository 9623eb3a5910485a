import { useEffect, useRef } from 'react';

/** The end for a participant who declined: polite, final, and without any way into the chat. */
export function DeclinedView() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="study-screen" aria-labelledby="declined-title">
      <div className="study-card study-card--centered" data-testid="declined">
        <h2 id="declined-title" tabIndex={-1} ref={heading}>
          Thank you for your time
        </h2>
        <p>You chose not to take part in this study, so there is nothing more to do here.</p>
        <p className="study-card__muted">Only your decision has been recorded. You can close this page now.</p>
      </div>
    </section>
  );
}
