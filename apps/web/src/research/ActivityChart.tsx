import type { DashboardResponse } from '@parley/protocol';

/**
 * Messages per minute over the dashboard's window, as bars (participants' messages above the
 * agent's). The picture is for the eye; screen readers get the same numbers as a sentence.
 */
export function ActivityChart({ activity }: { activity: DashboardResponse['messagesPerMinute'] }) {
  const { buckets, windowMinutes } = activity;
  const peak = Math.max(1, ...buckets.map((b) => b.user + b.assistant));
  const totalUser = buckets.reduce((sum, b) => sum + b.user, 0);
  const totalAgent = buckets.reduce((sum, b) => sum + b.assistant, 0);
  return (
    <section className="research-panel" aria-labelledby="activity-title">
      <h2 id="activity-title" className="research-panel__title">
        Messages per minute
      </h2>
      <p className="research-panel__note">
        Last {windowMinutes} minutes: {totalUser} from participants, {totalAgent} from the agent.
      </p>
      <div className="activity" aria-hidden="true">
        {buckets.map((bucket) => (
          <div key={bucket.minute} className="activity__bar" title={`${new Date(bucket.minute).toLocaleTimeString()}: ${bucket.user} participant, ${bucket.assistant} agent`}>
            <span className="activity__agent" style={{ height: `${(bucket.assistant / peak) * 100}%` }} />
            <span className="activity__user" style={{ height: `${(bucket.user / peak) * 100}%` }} />
          </div>
        ))}
      </div>
      <p className="activity__legend" aria-hidden="true">
        <span className="activity__key activity__key--user" /> participants <span className="activity__key activity__key--agent" /> agent
      </p>
    </section>
  );
}
