import type { DashboardResponse } from '@parley/protocol';
import { formatMs } from './format.ts';

/** The headline numbers, as a description list (each number named for screen readers). */
export function SummaryCards({ dashboard }: { dashboard: DashboardResponse }) {
  const { participants } = dashboard;
  const cards: { label: string; value: string; detail?: string }[] = [
    {
      label: 'Participants',
      value: String(participants.total),
      detail: `${participants.consented} consented · ${participants.consentPending} pending · ${participants.declined} declined`,
    },
    { label: 'Conversations', value: String(dashboard.conversations) },
    {
      label: 'Messages per minute',
      value: dashboard.messagesPerMinute.userRate.toFixed(1),
      detail: `participants' messages, last ${dashboard.messagesPerMinute.windowMinutes} min`,
    },
    {
      label: 'Active connections',
      value: String(dashboard.activeConnections),
      detail: `${dashboard.repliesRunning} replies running${dashboard.instances > 1 ? ` · ${dashboard.instances} server instances` : ''}`,
    },
    { label: 'Agent errors', value: String(dashboard.agentErrors.total) },
    { label: 'Median time to first token', value: formatMs(dashboard.medianFirstTokenMs) },
  ];
  return (
    <dl className="summary-cards" data-testid="summary">
      {cards.map((card) => (
        <div key={card.label} className="summary-card">
          <dt className="summary-card__label">{card.label}</dt>
          <dd className="summary-card__value">{card.value}</dd>
          {card.detail && <dd className="summary-card__detail">{card.detail}</dd>}
        </div>
      ))}
    </dl>
  );
}
