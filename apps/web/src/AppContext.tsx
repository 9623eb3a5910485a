import { createContext, useContext, type ReactNode } from 'react';
import type { ParticipantIds } from '@parley/protocol';
import { useStore } from 'zustand';
import type { AppState } from './store/state.ts';
import type { AppStore } from './store/createAppStore.ts';
import type { ChatController } from './store/controller.ts';
import type { Drafts } from './store/drafts.ts';
import type { StudyController } from './store/studyController.ts';
import type { LazyMarkdown } from './markdown/lazyMarkdown.ts';

/** What main.tsx wires together and hands to the component tree (no module-level singletons). */
export interface AppServices {
  store: AppStore;
  controller: ChatController;
  markdown: LazyMarkdown;
  study: StudyController;
  /** Unsent text per chat, kept across chat switches and reloads. */
  drafts: Drafts;
  /** The ids of the study link this page was opened with, or null. */
  participant: ParticipantIds | null;
}

const ServicesContext = createContext<AppServices | null>(null);

export function AppServicesProvider({ services, children }: { services: AppServices; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() needs <AppServicesProvider> above it.');
  return services;
}

/** Subscribes to one slice of the store; the component re-renders only when that slice changes. */
export function useAppState<T>(selector: (state: AppState) => T): T {
  return useStore(useServices().store, selector);
}

export const useController = (): ChatController => useServices().controller;
export const useStudyController = (): StudyController => useServices().study;
export const useDrafts = (): Drafts => useServices().drafts;
