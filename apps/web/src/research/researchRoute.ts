/** Where the researcher is within /research: the dashboard, or one conversation. */
export type ResearchView = { view: 'dashboard' } | { view: 'conversation'; chatId: string };

export function researchViewFromPath(pathname: string): ResearchView {
  const match = /^\/research\/conversations\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1]) {
    try {
      return { view: 'conversation', chatId: decodeURIComponent(match[1]) };
    } catch {
      // A malformed escape: show the dashboard rather than fail.
    }
  }
  return { view: 'dashboard' };
}

export function pathForResearchView(view: ResearchView): string {
  return view.view === 'conversation' ? `/research/conversations/${encodeURIComponent(view.chatId)}` : '/research';
}
