import { PagingFooter } from './ParticipantList.tsx';
import { useResearch } from './ResearchContext.tsx';
import { conditionLabel, formatTime } from './format.ts';
import { usePagedList } from './usePagedList.ts';

interface ConversationListProps {
  study: string;
  /** Only this participant's conversations, or everyone's. */
  participant: string | null;
  onClearParticipant: () => void;
}

/** Conversations with at least one message, oldest first; each opens read-only. */
export function ConversationList({ study, participant, onClearParticipant }: ConversationListProps) {
  const { api, navigate } = useResearch();
  const list = usePagedList(`conversations:${study}:${participant ?? ''}`, async (cursor) => {
    const page = await api.conversations({ study: study || undefined, participant: participant ?? undefined, cursor });
    return { items: page.conversations, nextCursor: page.nextCursor };
  });
  return (
    <section className="research-panel" aria-labelledby="conversations-title">
      <div className="research-panel__head">
        <h2 id="conversations-title" className="research-panel__title">
          Conversations{participant && ` of ${participant}`}
        </h2>
        {participant && (
          <button type="button" className="link-button" onClick={onClearParticipant}>
            Show everyone's
          </button>
        )}
        <button type="button" className="button button--secondary button--small" onClick={list.refresh} disabled={list.loading}>
          Refresh
        </button>
      </div>
      {list.error && (
        <p className="research-panel__error" role="alert">
          Could not load conversations: {list.error}
        </p>
      )}
      {list.items.length === 0 && !list.loading && !list.error && <p className="research-panel__empty">No conversations yet.</p>}
      {list.items.length > 0 && (
        <div className="table-scroll">
          <table className="research-table" data-testid="conversations">
            <thead>
              <tr>
                <th scope="col">Conversation</th>
                <th scope="col">Participant</th>
                <th scope="col">Condition</th>
                <th scope="col">Started</th>
                <th scope="col" className="num">
                  Messages
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.chatId}>
                  <th scope="row">
                    <a
                      href={`/research/conversations/${encodeURIComponent(c.chatId)}`}
                      onClick={(event) => {
                        event.preventDefault();
                        navigate({ view: 'conversation', chatId: c.chatId });
                      }}
                    >
                      {c.title || 'Untitled chat'}
                    </a>
                  </th>
                  <td>{c.participantId}</td>
                  <td>{conditionLabel(c.condition)}</td>
                  <td>{formatTime(c.createdAt)}</td>
                  <td className="num">{c.messageCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PagingFooter hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </section>
  );
}
