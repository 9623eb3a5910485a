import {
  consentResponseSchema,
  feedbackResponseSchema,
  studyResponseSchema,
  type FeedbackRequest,
  type FeedbackResponse,
  type StudyView,
} from '@parley/protocol';
import type { RequestJson } from './client.ts';

/** The participant's side of a study: its state, the consent decision and feedback on replies. */
export interface StudyApi {
  /** The caller's study view; null when the server runs no study. */
  getStudy(): Promise<StudyView | null>;
  decideConsent(accept: boolean): Promise<StudyView>;
  putFeedback(messageId: string, body: FeedbackRequest): Promise<FeedbackResponse>;
}

export function createStudyApi(request: RequestJson): StudyApi {
  return {
    getStudy: async () => (await request('GET', '/api/study', studyResponseSchema)).study,
    decideConsent: async (accept) => (await request('POST', '/api/study/consent', consentResponseSchema, { accept })).study,
    putFeedback: (messageId, body) => request('PUT', `/api/messages/${encodeURIComponent(messageId)}/feedback`, feedbackResponseSchema, body),
  };
}
