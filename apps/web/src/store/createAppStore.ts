import { createStore, type StoreApi } from 'zustand/vanilla';
import { initialState, type AppState } from './state.ts';

export type AppStore = StoreApi<AppState>;

/**
 * A plain (vanilla) zustand store: React components subscribe to it with selectors, and the
 * controller and the tests drive it without React. Each call makes an independent store.
 */
export function createAppStore(overrides: Partial<AppState> = {}): AppStore {
  return createStore<AppState>()(() => ({ ...initialState(), ...overrides }));
}
