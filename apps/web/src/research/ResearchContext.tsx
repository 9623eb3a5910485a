import { createContext, useContext } from 'react';
import type { ResearchApi } from './researchApi.ts';
import type { ResearchView } from './researchRoute.ts';

/** What every part of the researcher's page needs: the API, navigation, and the session's end. */
export interface ResearchServices {
  api: ResearchApi;
  navigate(view: ResearchView): void;
  /** A request answered 401: the researcher session expired or was revoked. */
  sessionEnded(): void;
}

export const ResearchContext = createContext<ResearchServices | null>(null);

export function useResearch(): ResearchServices {
  const services = useContext(ResearchContext);
  if (!services) throw new Error('useResearch() needs <ResearchContext.Provider> above it.');
  return services;
}
