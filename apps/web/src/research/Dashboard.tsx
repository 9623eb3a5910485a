import { useState, type FormEvent } from 'react';
import { ActivityChart } from './ActivityChart.tsx';
import { AgentErrors } from './AgentErrors.tsx';
import { ConditionTable } from './ConditionTable.tsx';
import { ConversationList } from './ConversationList.tsx';
import { ExportPanel } from './ExportPanel.tsx';
import { ParticipantList } from './ParticipantList.tsx';
import { useResearch } from './ResearchContext.tsx';
import { SummaryCards } from './SummaryCards.tsx';
import { useResearchData } from './useResearchData.ts';

/** How often the live numbers are read again. */
const POLL_MS = 5_000;

interface DashboardProps {
  /** The study shown; '' for the study in force. */
  study: string;
  onStudyChange: (study: string) => void;
}

/** The live view of a study: counts per condition, activity, errors, the lists and the export. */
export function Dashboard({ study, onStudyChange }: DashboardProps) {
  const { api } = useResearch();
  const dashboard = useResearchData(`dashboard:${study}`, () => api.dashboard(study || undefined), POLL_MS);
  const settings = useResearchData('settings', () => api.study(), POLL_MS);
  const [participant, setParticipant] = useState<string | null>(null);
  const data = dashboard.data;
  const studyId = study || data?.studyId || '';
  const conditions = (data?.byCondition ?? []).map((c) => c.condition).filter((c): c is string => c !== null);

  return (
    <div className="dashboard">
      <div className="dashboard__top">
        <div>
          <h1 className="dashboard__title">{studyId ? `Study ${studyId}` : 'No study running'}</h1>
          <p className="dashboard__updated" aria-live="polite">
            {dashboard.error
              ? `Could not refresh: ${dashboard.error}`
              : dashboard.updatedAt
                ? `Live · updated ${dashboard.updatedAt.toLocaleTimeString()}`
                : 'Loading…'}
          </p>
        </div>
        <StudyPicker current={study} onChange={onStudyChange} />
      </div>

      {settings.data && !settings.data.configFile.ok && (
        <div className="research-alert" role="alert">
          <strong>The settings file's last edit was refused</strong>; the previous settings stay in force.
          <br />
          {settings.data.configFile.problem}
          {settings.data.configFile.errors.length > 0 && (
            <ul>
              {settings.data.configFile.errors.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </div>
      )}

      {data && (
        <>
          <SummaryCards dashboard={data} />
          <div className="dashboard__grid">
            <ConditionTable rows={data.byCondition} />
            <ActivityChart activity={data.messagesPerMinute} />
          </div>
          <AgentErrors errors={data.agentErrors} />
        </>
      )}

      <ParticipantList study={study} onShowConversations={setParticipant} />
      <ConversationList study={study} participant={participant} onClearParticipant={() => setParticipant(null)} />
      <ExportPanel study={studyId} conditions={conditions} />
    </div>
  );
}

/** Another study's numbers (a finished pilot); empty for the study in force. */
function StudyPicker({ current, onChange }: { current: string; onChange: (study: string) => void }) {
  const [value, setValue] = useState(current);
  function submit(event: FormEvent) {
    event.preventDefault();
    onChange(value.trim());
  }
  return (
    <form className="study-picker" onSubmit={submit}>
      <label className="field field--inline">
        <span className="field__label">Study id</span>
        <input className="field__input field__input--compact" value={value} onChange={(e) => setValue(e.target.value)} placeholder="the study in force" maxLength={64} />
      </label>
      <button type="submit" className="button button--secondary button--small">
        Show
      </button>
    </form>
  );
}
