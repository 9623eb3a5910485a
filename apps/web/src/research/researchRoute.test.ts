import { describe, expect, it } from 'vitest';
import { pathForResearchView, researchViewFromPath } from './researchRoute.ts';

describe('research routes', () => {
  it('round-trips a conversation id, escaped', () => {
    const view = { view: 'conversation' as const, chatId: 'a/b c' };
    expect(researchViewFromPath(pathForResearchView(view))).toEqual(view);
  });

  it('shows the dashboard for /research and anything it does not know', () => {
    expect(researchViewFromPath('/research')).toEqual({ view: 'dashboard' });
    expect(researchViewFromPath('/research/')).toEqual({ view: 'dashboard' });
    expect(researchViewFromPath('/research/nope/x')).toEqual({ view: 'dashboard' });
    expect(researchViewFromPath('/research/conversations/%E0%A4%A')).toEqual({ view: 'dashboard' });
  });
});
