import type { AppState } from '../store/state.ts';

/**
 * What happens to a telemetry event now. `hold`: keep it until the study view says whether the
 * participant consented; `drop`: nobody to attribute it to, or no consent (nothing may be
 * collected before consent, not even queued for later).
 */
export type TelemetryPolicy = 'collect' | 'hold' | 'drop';

export function telemetryPolicy(state: Pick<AppState, 'auth' | 'study' | 'studyLoad'>): TelemetryPolicy {
  if (state.auth.status !== 'authenticated') return 'drop';
  if (state.studyLoad !== 'ready') return 'hold';
  // Without a study the server records events as it always does.
  if (!state.study) return 'collect';
  const consent = state.study.consent.status;
  return consent === 'accepted' || consent === 'not_required' ? 'collect' : 'drop';
}
