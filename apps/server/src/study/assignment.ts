/**
 * Balanced assignment: the condition with the fewest participants so far; a tie is broken at
 * random, so the order of the conditions in the file cannot bias who gets which.
 */
export function pickCondition(names: readonly string[], counts: ReadonlyMap<string, number>, random: () => number = Math.random): string {
  if (names.length === 0) throw new Error('pickCondition needs at least one condition');
  let fewest = Number.POSITIVE_INFINITY;
  let candidates: string[] = [];
  for (const name of names) {
    const count = counts.get(name) ?? 0;
    if (count < fewest) {
      fewest = count;
      candidates = [name];
    } else if (count === fewest) {
      candidates.push(name);
    }
  }
  const index = Math.min(candidates.length - 1, Math.floor(random() * candidates.length));
  return candidates[index]!;
}
