import type { ParticipantIds } from '@parley/protocol';

/** The query parameters of a study link that the server stores with the participant. */
const ID_PARAMS = ['PROLIFIC_PID', 'STUDY_ID', 'SESSION_ID', 'pid'] as const satisfies readonly (keyof ParticipantIds)[];

/**
 * The study-link ids in a URL's query (`?PROLIFIC_PID=…&STUDY_ID=…&SESSION_ID=…`, or `?pid=…`),
 * or null when the link names no participant: STUDY_ID or SESSION_ID alone identify nobody.
 * Values are passed on as typed (trimmed, as the server trims them); the server validates them.
 */
export function readParticipantIds(search: string): ParticipantIds | null {
  const params = new URLSearchParams(search);
  const ids: ParticipantIds = {};
  for (const name of ID_PARAMS) {
    const value = params.get(name)?.trim();
    if (value) ids[name] = value;
  }
  return ids.PROLIFIC_PID || ids.pid ? ids : null;
}

/** The username the server logs the participant in under: PROLIFIC_PID, else pid. */
export function participantUsername(ids: ParticipantIds): string {
  return ids.PROLIFIC_PID ?? ids.pid ?? '';
}
