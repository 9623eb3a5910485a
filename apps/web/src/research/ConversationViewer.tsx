import type { ExportConversationRecord } from '@parley/protocol';
import { useEffect, useRef } from 'react';
import { useResearch } from './ResearchContext.tsx';
import { conditionLabel, formatMs, formatTime } from './format.ts';
import { useResearchData } from './useResearchData.ts';

type ExportMessage = ExportConversationRecord['messages'][number];

/**
 * One conversation, read-only, exactly as the export has it. Text is shown as written (no
 * Markdown rendering): a researcher checks the data, not how it looked.
 */
export function ConversationViewer({ chatId }: { chatId: string }) {
  const { api, navigate } = useResearch();
  const { data, error } = useResearchData(`conversation:${chatId}`, () => api.conversation(chatId));
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (data) heading.current?.focus();
  }, [data]);

  return (
    <article className="viewer" aria-labelledby="viewer-title">
      <a
        className="viewer__back"
        href="/research"
        onClick={(event) => {
          event.preventDefault();
          navigate({ view: 'dashboard' });
        }}
      >
        ← Dashboard
      </a>
      {error && (
        <p className="research-panel__error" role="alert">
          Could not load this conversation: {error}
        </p>
      )}
      {!data && !error && (
        <p className="research__status" role="status">
          Loading…
        </p>
      )}
      {data && (
        <>
          <h1 id="viewer-title" className="dashboard__title" tabIndex={-1} ref={heading}>
            {data.title || 'Untitled chat'}
          </h1>
          <dl className="viewer__meta">
            <div>
              <dt>Participant</dt>
              <dd>{data.participantId}</dd>
            </div>
            <div>
              <dt>Condition</dt>
              <dd>{conditionLabel(data.condition)}</dd>
            </div>
            <div>
              <dt>Study</dt>
              <dd>{data.studyId ?? '(outside any study)'}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>{formatTime(data.createdAt)}</dd>
            </div>
          </dl>
          <ol className="viewer__messages" data-testid="viewer-messages">
            {data.messages.map((message) => (
              <ViewerMessage key={message.id} message={message} />
            ))}
          </ol>
          <h2 className="research-panel__title">Events</h2>
          {data.events.length === 0 ? (
            <p className="research-panel__empty">No events recorded in this conversation.</p>
          ) : (
            <div className="table-scroll">
              <table className="research-table" data-testid="viewer-events">
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Server time</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {data.events.map((event, index) => (
                    <tr key={index}>
                      <th scope="row">{event.kind}</th>
                      <td>{formatTime(event.serverTime)}</td>
                      <td className="research-table__ids">{JSON.stringify(event.data)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </article>
  );
}

function ViewerMessage({ message }: { message: ExportMessage }) {
  const feedback = message.feedback.current;
  const details = [
    formatTime(message.createdAt),
    message.status !== 'complete' ? message.status : null,
    message.agent ? [message.agent.provider, message.agent.model].filter(Boolean).join(' / ') : null,
    message.agent?.firstTokenMs != null ? `first token ${formatMs(message.agent.firstTokenMs)}` : null,
    message.agent?.errorCode ? `error ${message.agent.errorCode}` : null,
  ].filter(Boolean);
  return (
    <li className={`viewer-message viewer-message--${message.role}`} data-role={message.role}>
      <div className="viewer-message__head">
        <strong>{message.role === 'user' ? 'Participant' : 'Agent'}</strong>
        <span>{details.join(' · ')}</span>
      </div>
      <p className="viewer-message__text">{message.content}</p>
      {feedback && (
        <p className="viewer-message__feedback">
          Feedback: {feedback.rating === 'up' ? '👍 good' : feedback.rating === 'down' ? '👎 bad' : 'withdrawn'}
          {feedback.comment && ` · “${feedback.comment}”`}
          {message.feedback.history.length > 1 && ` · changed ${message.feedback.history.length - 1} times`}
        </p>
      )}
    </li>
  );
}
