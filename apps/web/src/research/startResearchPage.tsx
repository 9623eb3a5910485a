import { StrictMode } from 'react';
import type { Root } from 'react-dom/client';
import { createRequestJson } from '../api/client.ts';
import { createResearchApi } from './researchApi.ts';
import { ResearchApp } from './ResearchApp.tsx';
import './research.css';

/** The researcher's page (/research): its own chunk, so participants never download it. */
export function startResearchPage(root: Root): void {
  const api = createResearchApi(createRequestJson());
  root.render(
    <StrictMode>
      <ResearchApp api={api} win={window} />
    </StrictMode>,
  );
}
