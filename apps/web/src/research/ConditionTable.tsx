import type { DashboardResponse } from '@parley/protocol';
import { conditionLabel, formatMs } from './format.ts';

/** Participants, conversations and replies per condition: is assignment balanced, do conditions differ? */
export function ConditionTable({ rows }: { rows: DashboardResponse['byCondition'] }) {
  return (
    <section className="research-panel" aria-labelledby="conditions-title">
      <h2 id="conditions-title" className="research-panel__title">
        By condition
      </h2>
      {rows.length === 0 ? (
        <p className="research-panel__empty">No participants yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="research-table" data-testid="conditions">
            <thead>
              <tr>
                <th scope="col">Condition</th>
                <th scope="col" className="num">
                  Participants
                </th>
                <th scope="col" className="num">
                  Conversations
                </th>
                <th scope="col" className="num">
                  Messages
                </th>
                <th scope="col" className="num" title="Median time from the participant's message to the agent's first token">
                  Median first token
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.condition ?? ''}>
                  <th scope="row">{conditionLabel(row.condition)}</th>
                  <td className="num">{row.participants}</td>
                  <td className="num">{row.conversations}</td>
                  <td className="num">{row.userMessages}</td>
                  <td className="num">{formatMs(row.medianFirstTokenMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
