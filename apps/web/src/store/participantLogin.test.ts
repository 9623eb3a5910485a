import { describe, expect, it, vi } from 'vitest';
import type { LoginRequest } from '@parley/protocol';
import { ApiError, type ApiClient } from '../api/client.ts';
import { createMemoryRouter } from '../router.ts';
import { FakeConnection, fakeApi, user } from '../test/fixtures.ts';
import { createChatController } from './controller.ts';
import { createAppStore } from './createAppStore.ts';

const ids = { PROLIFIC_PID: 'prolific-7', STUDY_ID: 'study-1', SESSION_ID: 'session-9' };
const participant = { id: 'u7', username: 'prolific-7', createdAt: '2024-01-01T00:00:00.000Z' };

function setup(api: Partial<ApiClient>, accessCodeRequired = false) {
  const store = createAppStore();
  const logins: LoginRequest[] = [];
  const logout = vi.fn(async () => {});
  const fullApi = fakeApi({
    getConfig: async () => ({ accessCodeRequired, protocolVersion: 1 }),
    me: async () => Promise.reject(new ApiError(401, 'unauthorized', 'Log in first.')),
    login: async (body) => {
      logins.push(body);
      return { user: participant, token: 't', expiresAt: '2099-01-01T00:00:00.000Z' };
    },
    logout,
    listChats: async () => [],
    ...api,
  });
  const controller = createChatController({ store, api: fullApi, connection: new FakeConnection(), router: createMemoryRouter(), participant: ids });
  return { store, controller, logins, logout };
}

describe('arriving from a study link', () => {
  it('logs in as the participant with the link ids and no username', async () => {
    const { store, controller, logins } = setup({});
    await controller.bootstrap();
    expect(logins).toEqual([{ participant: ids }]);
    expect(store.getState().auth).toEqual({ status: 'authenticated', user: participant });
  });

  it('logs the same participant in again, so this visit’s study and session ids are recorded', async () => {
    const { store, controller, logins, logout } = setup({ me: async () => participant });
    await controller.bootstrap();
    expect(logout).not.toHaveBeenCalled();
    expect(logins).toEqual([{ participant: ids }]);
    expect(store.getState().auth).toEqual({ status: 'authenticated', user: participant });
  });

  it('keeps the same participant’s session when a new login would need the access code', async () => {
    const { store, controller, logins } = setup({ me: async () => participant }, true);
    await controller.bootstrap();
    expect(logins).toEqual([]);
    expect(store.getState().auth).toEqual({ status: 'authenticated', user: participant });
  });

  it('ends someone else’s session and logs in as the participant', async () => {
    const { store, controller, logins, logout } = setup({ me: async () => user });
    await controller.bootstrap();
    expect(logout).toHaveBeenCalledTimes(1);
    expect(logins).toEqual([{ participant: ids }]);
    expect(store.getState().auth).toEqual({ status: 'authenticated', user: participant });
  });

  it('asks only for the access code when the server requires one, and sends it with the ids', async () => {
    const { store, controller, logins } = setup({}, true);
    await controller.bootstrap();
    expect(store.getState().auth.status).toBe('anonymous');
    expect(logins).toEqual([]);
    expect(await controller.login('', 'sesame')).toBeNull();
    expect(logins).toEqual([{ participant: ids, accessCode: 'sesame' }]);
  });

  it('shows why the automatic login failed', async () => {
    const { store, controller } = setup({ login: async () => Promise.reject(new ApiError(429, 'rate_limited', 'Too many')) });
    await controller.bootstrap();
    expect(store.getState().auth.status).toBe('anonymous');
    expect(store.getState().notice).toMatch(/Too many attempts/);
  });
});
