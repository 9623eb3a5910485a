import { useResearch } from './ResearchContext.tsx';
import { conditionLabel, formatTime } from './format.ts';
import { usePagedList } from './usePagedList.ts';

const CONSENT_LABELS = { not_required: 'not asked', pending: 'pending', accepted: 'accepted', declined: 'declined' } as const;

/** Everyone enrolled in the study, oldest first, a page at a time. */
export function ParticipantList({ study, onShowConversations }: { study: string; onShowConversations: (participantId: string) => void }) {
  const { api } = useResearch();
  const list = usePagedList(`participants:${study}`, async (cursor) => {
    const page = await api.participants({ study: study || undefined, cursor });
    return { items: page.participants, nextCursor: page.nextCursor };
  });
  return (
    <section className="research-panel" aria-labelledby="participants-title">
      <div className="research-panel__head">
        <h2 id="participants-title" className="research-panel__title">
          Participants
        </h2>
        <button type="button" className="button button--secondary button--small" onClick={list.refresh} disabled={list.loading}>
          Refresh
        </button>
      </div>
      {list.error && (
        <p className="research-panel__error" role="alert">
          Could not load participants: {list.error}
        </p>
      )}
      {list.items.length === 0 && !list.loading && !list.error && <p className="research-panel__empty">No participants yet.</p>}
      {list.items.length > 0 && (
        <div className="table-scroll">
          <table className="research-table" data-testid="participants">
            <thead>
              <tr>
                <th scope="col">Participant</th>
                <th scope="col">Condition</th>
                <th scope="col">Consent</th>
                <th scope="col">Enrolled</th>
                <th scope="col">Study / session (link)</th>
                <th scope="col" className="num">
                  Conversations
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((p) => (
                <tr key={p.participantId} data-participant={p.participantId}>
                  <th scope="row">{p.participantId}</th>
                  <td>{conditionLabel(p.condition)}</td>
                  <td>{CONSENT_LABELS[p.consentStatus]}</td>
                  <td>{formatTime(p.enrolledAt)}</td>
                  <td className="research-table__ids">{[p.externalStudyId, p.externalSessionId].filter(Boolean).join(' / ') || '–'}</td>
                  <td className="num">
                    {p.conversations > 0 ? (
                      <button type="button" className="link-button" onClick={() => onShowConversations(p.participantId)} aria-label={`Show the ${p.conversations} conversations of ${p.participantId}`}>
                        {p.conversations}
                      </button>
                    ) : (
                      0
                    )}
                  </td>
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

export function PagingFooter({ hasMore, loading, onMore }: { hasMore: boolean; loading: boolean; onMore: () => void }) {
  if (!hasMore && !loading) return null;
  return (
    <div className="research-panel__more">
      {hasMore ? (
        <button type="button" className="button button--secondary button--small" onClick={onMore} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      ) : (
        <span role="status">Loading…</span>
      )}
    </div>
  );
}
