import {
  conversationDetailResponseSchema,
  conversationListResponseSchema,
  dashboardResponseSchema,
  participantListResponseSchema,
  researchStudyResponseSchema,
  researcherLoginResponseSchema,
  researcherMeResponseSchema,
  type ConversationDetailResponse,
  type ConversationListResponse,
  type DashboardResponse,
  type ParticipantListResponse,
  type ResearchStudyResponse,
} from '@parley/protocol';
import type { RequestJson } from '../api/client.ts';

/** Query parameters of the lists: one page, optionally narrowed. */
export interface ListQuery {
  study?: string;
  condition?: string;
  participant?: string;
  cursor?: string;
  limit?: number;
}

/** The researcher's API (/api/research). Its session is its own cookie, separate from participants'. */
export interface ResearchApi {
  login(password: string): Promise<void>;
  logout(): Promise<void>;
  /** Resolves when a researcher session exists; rejects with ApiError 401 otherwise. */
  me(): Promise<void>;
  study(): Promise<ResearchStudyResponse>;
  dashboard(study?: string): Promise<DashboardResponse>;
  participants(query: ListQuery): Promise<ParticipantListResponse>;
  conversations(query: ListQuery): Promise<ConversationListResponse>;
  conversation(chatId: string): Promise<ConversationDetailResponse['conversation']>;
}

/** `?a=1&b=2` from the set values only ('' and undefined are left out), or '' when none is set. */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '' || value === false) continue;
    search.set(key, value === true ? '1' : String(value));
  }
  return search.size > 0 ? `?${search}` : '';
}

export function createResearchApi(request: RequestJson): ResearchApi {
  return {
    login: async (password) => void (await request('POST', '/api/research/login', researcherLoginResponseSchema, { password })),
    logout: () => request('POST', '/api/research/logout', null, {}),
    me: async () => void (await request('GET', '/api/research/me', researcherMeResponseSchema)),
    study: () => request('GET', '/api/research/study', researchStudyResponseSchema),
    dashboard: (study) => request('GET', `/api/research/dashboard${queryString({ study })}`, dashboardResponseSchema),
    participants: (query) => request('GET', `/api/research/participants${queryString({ ...query })}`, participantListResponseSchema),
    conversations: (query) => request('GET', `/api/research/conversations${queryString({ ...query })}`, conversationListResponseSchema),
    conversation: async (chatId) =>
      (await request('GET', `/api/research/conversations/${encodeURIComponent(chatId)}`, conversationDetailResponseSchema)).conversation,
  };
}

/** The export's filters, as the download form holds them. */
export interface ExportFilters {
  study: string;
  condition: string;
  /** yyyy-mm-dd from a date input; the server reads ISO dates. */
  from: string;
  to: string;
  pseudonymize: boolean;
}

/**
 * The download link of the export. A plain link (not fetch): the browser streams the file to
 * disk as it arrives, however large the study, and the researcher cookie goes along.
 */
export function exportHref(format: 'jsonl' | 'csv', filters: ExportFilters): string {
  return `/api/research/export${queryString({
    format,
    study: filters.study.trim(),
    condition: filters.condition.trim(),
    from: filters.from,
    to: filters.to,
    pseudonymize: filters.pseudonymize,
  })}`;
}
