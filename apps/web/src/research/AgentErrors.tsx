import type { DashboardResponse } from '@parley/protocol';
import { useResearch } from './ResearchContext.tsx';
import { formatTime } from './format.ts';

/** Failed replies by error code, and the latest ones with a link to their conversation. */
export function AgentErrors({ errors }: { errors: DashboardResponse['agentErrors'] }) {
  const { navigate } = useResearch();
  if (errors.total === 0) return null;
  return (
    <section className="research-panel" aria-labelledby="errors-title">
      <h2 id="errors-title" className="research-panel__title">
        Agent errors
      </h2>
      <p className="research-panel__note">
        {Object.entries(errors.byCode)
          .map(([code, count]) => `${code}: ${count}`)
          .join(' · ')}
      </p>
      <ul className="research-list">
        {errors.recent.map((error) => (
          <li key={error.messageId}>
            <button type="button" className="link-button" onClick={() => navigate({ view: 'conversation', chatId: error.chatId })}>
              {formatTime(error.at)} · {error.code ?? 'unknown'}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
