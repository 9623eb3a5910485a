import {
  apiErrorSchema,
  chatDetailResponseSchema,
  chatListResponseSchema,
  createChatResponseSchema,
  loginResponseSchema,
  meResponseSchema,
  publicConfigSchema,
  renameChatResponseSchema,
  type Chat,
  type ChatDetailResponse,
  type ChatPageQuery,
  type CreateChatResponse,
  type ErrorCode,
  type LoginRequest,
  type LoginResponse,
  type PublicConfig,
  type User,
} from '@parley/protocol';

/** The one thing this client needs from a protocol schema (web does not depend on zod directly). */
export interface Schema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false };
}

/** A failed REST call. `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  getConfig(): Promise<PublicConfig>;
  login(body: LoginRequest): Promise<LoginResponse>;
  logout(): Promise<void>;
  /** The logged-in user; rejects with ApiError status 401 when there is no session. */
  me(): Promise<User>;
  listChats(): Promise<Chat[]>;
  createChat(): Promise<CreateChatResponse>;
  getChat(chatId: string, query?: ChatPageQuery): Promise<ChatDetailResponse>;
  renameChat(chatId: string, title: string): Promise<Chat>;
}

export interface ApiClientOptions {
  /** Prefix for every path; empty in the browser because the API is same-origin. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
}

/** One JSON request: the body parsed with `schema` (null: no body expected); failures become ApiError. */
export type RequestJson = <T>(method: string, path: string, schema: Schema<T> | null, body?: unknown) => Promise<T>;

/** The request helper shared by every client of the same-origin API (chat, study, researcher). */
export function createRequestJson(options: ApiClientOptions = {}): RequestJson {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  return async function request<T>(method: string, path: string, schema: Schema<T> | null, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await doFetch(baseUrl + path, {
        method,
        credentials: 'same-origin',
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'unavailable', 'The server cannot be reached. Check your connection.');
    }
    const data: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const parsed = apiErrorSchema.safeParse(data);
      if (parsed.success) throw new ApiError(response.status, parsed.data.error.code, parsed.data.error.message);
      // A proxy or gateway answered instead of Parley (for example while the backend restarts).
      throw new ApiError(response.status, response.status >= 500 ? 'unavailable' : 'bad_request', `The server answered ${response.status}.`);
    }
    if (schema === null) return undefined as T;
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new ApiError(response.status, 'internal', 'The server sent an answer this page does not understand.');
    return parsed.data;
  };
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const request = createRequestJson(options);

  return {
    getConfig: () => request('GET', '/api/config', publicConfigSchema),
    login: (body) => request('POST', '/api/auth/login', loginResponseSchema, body),
    logout: () => request('POST', '/api/auth/logout', null, {}),
    me: async () => (await request('GET', '/api/me', meResponseSchema)).user,
    listChats: async () => (await request('GET', '/api/chats', chatListResponseSchema)).chats,
    createChat: () => request('POST', '/api/chats', createChatResponseSchema, {}),
    getChat: (chatId, query = {}) => {
      const params = new URLSearchParams();
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      if (query.before !== undefined) params.set('before', query.before);
      const search = params.size > 0 ? `?${params}` : '';
      return request('GET', `/api/chats/${encodeURIComponent(chatId)}${search}`, chatDetailResponseSchema);
    },
    renameChat: async (chatId, title) =>
      (await request('PUT', `/api/chats/${encodeURIComponent(chatId)}/title`, renameChatResponseSchema, { title })).chat,
  };
}
