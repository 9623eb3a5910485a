import type { Figure, ScenarioResult } from './context.ts';

const cell = (value: unknown): string => (value === undefined || value === null || value === '' ? '—' : String(value));

function ratio(figure: Figure): string {
  const { parley, baseline } = figure;
  if (typeof parley !== 'number' || typeof baseline !== 'number' || baseline === 0 || !Number.isFinite(parley / baseline)) return '—';
  return `${(parley / baseline).toFixed(2)}×`;
}

/** The Markdown table: every figure next to the bare-ws baseline and its target. */
export function markdownTable(results: ScenarioResult[]): string {
  const lines = ['| scenario | figure | Parley | bare ws | ratio | target | met |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const result of results) {
    for (const f of result.figures) {
      const unit = f.unit ? ` ${f.unit}` : '';
      const met = f.pass === undefined ? '' : f.pass ? 'yes' : '**no**';
      lines.push(`| ${result.scenario} | ${f.metric} | ${cell(f.parley)}${unit} | ${f.baseline === undefined || f.baseline === null ? '—' : `${f.baseline}${unit}`} | ${ratio(f)} | ${cell(f.target)} | ${met} |`);
    }
  }
  return lines.join('\n');
}

/** One JSON line per scenario, figures with their ratio to the baseline. */
export function jsonLine(result: ScenarioResult): string {
  return JSON.stringify({ ...result, figures: result.figures.map((f) => ({ ...f, ratio: ratio(f) === '—' ? null : Number(ratio(f).slice(0, -1)) })) });
}
