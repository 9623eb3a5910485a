import { useEffect, useState } from 'react';
import { exportHref, type ExportFilters } from './researchApi.ts';

/**
 * The data set as plain download links: the browser streams the file straight to disk (however
 * large), with the researcher cookie, and shows its own progress.
 */
export function ExportPanel({ study, conditions }: { study: string; conditions: string[] }) {
  const [filters, setFilters] = useState<ExportFilters>({ study, condition: '', from: '', to: '', pseudonymize: false });
  // Follow the dashboard's study until the researcher types another one here.
  const [studyEdited, setStudyEdited] = useState(false);
  useEffect(() => {
    if (!studyEdited) setFilters((f) => ({ ...f, study }));
  }, [study, studyEdited]);
  const change = (patch: Partial<ExportFilters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <section className="research-panel" aria-labelledby="export-title">
      <h2 id="export-title" className="research-panel__title">
        Download the data
      </h2>
      <p className="research-panel__note">
        JSONL holds every conversation with its messages, feedback history and events; CSV has one row per message. Leave a filter empty for all.
      </p>
      <div className="export-form">
        <label className="field">
          <span className="field__label">Study</span>
          <input
            className="field__input field__input--compact"
            value={filters.study}
            onChange={(e) => {
              setStudyEdited(true);
              change({ study: e.target.value });
            }}
            placeholder="every study"
          />
        </label>
        <label className="field">
          <span className="field__label">Condition</span>
          <select className="field__input field__input--compact" value={filters.condition} onChange={(e) => change({ condition: e.target.value })}>
            <option value="">all conditions</option>
            {conditions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">From (started on or after)</span>
          <input className="field__input field__input--compact" type="date" value={filters.from} onChange={(e) => change({ from: e.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">To (started before)</span>
          <input className="field__input field__input--compact" type="date" value={filters.to} onChange={(e) => change({ to: e.target.value })} />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={filters.pseudonymize} onChange={(e) => change({ pseudonymize: e.target.checked })} />
          Pseudonymise participant ids
        </label>
      </div>
      <div className="export-links">
        <a className="button button--primary button--small" href={exportHref('jsonl', filters)} download>
          Download JSONL
        </a>
        <a className="button button--secondary button--small" href={exportHref('csv', filters)} download>
          Download CSV
        </a>
      </div>
    </section>
  );
}
