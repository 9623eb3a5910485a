/** Up to two letters for an avatar: "Ada Lovelace" → "AL", "participant_42" → "P4", "李雷" → "李雷". */
export function initialsOf(username: string): string {
  const words = username.trim().split(/[\s._-]+/).filter(Boolean);
  const letters = words.length >= 2 ? [first(words[0]!), first(words[1]!)] : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

const first = (word: string): string => [...word][0] ?? '';
