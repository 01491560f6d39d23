// Phrases mined from a collection's captions, for the offline captioner on real photographs: the
// words that follow an article ("a black dog", "the red shirt"), up to three, kept when they recur.
const stopWords = new Set(
  (
    'a an the this that these those some one two three four five six many several his her their its my our your ' +
    'and or but with without of in on at by for from to into onto over under near behind beside between through ' +
    'while as is are was were be being been has have had do does very it they he she them there here who which ' +
    'what where when up down out off next front top side back together other another each'
  ).split(' '),
);
const determiners = new Set(['a', 'an', 'the', 'two', 'three', 'some', 'several', 'many']);

/** Candidate noun phrases of one caption: up to three content words after a determiner. */
export function candidatePhrases(caption: string): string[] {
  const words = caption.toLowerCase().match(/[a-z]+(?:-[a-z]+)*/g) ?? [];
  const found: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (!determiners.has(words[i])) continue;
    const run: string[] = [];
    for (let j = i + 1; j < words.length && run.length < 3; j++) {
      const word = words[j];
      // Verbs in -ing end the phrase ("a dog running"), as do function words.
      if (stopWords.has(word) || (word.length > 4 && word.endsWith('ing'))) break;
      run.push(word);
    }
    if (run.length) found.push(run.join(' '));
  }
  return found;
}

/**
 * The phrases found in at least `minCount` captions, most frequent first, at most `max`. Every
 * leading part of a candidate counts ("black dog runs" counts "black" and "black dog" too, since the
 * phrase may end anywhere), but a part is kept only when it often ends a candidate itself: "dog"
 * does ("a dog in the park"), "black" almost never does, being an adjective.
 */
export function minePhrases(captions: Iterable<string>, options: { max: number; minCount: number }): string[] {
  const counts = new Map<string, number>();
  const endings = new Map<string, number>();
  for (const caption of captions) {
    const parts = new Set<string>();
    const ends = new Set<string>();
    for (const phrase of candidatePhrases(caption)) {
      const words = phrase.split(' ');
      for (let n = 1; n <= words.length; n++) parts.add(words.slice(0, n).join(' '));
      ends.add(phrase);
    }
    for (const part of parts) counts.set(part, (counts.get(part) ?? 0) + 1);
    for (const end of ends) endings.set(end, (endings.get(end) ?? 0) + 1);
  }
  return [...counts.entries()]
    .filter(([phrase, n]) => n >= options.minCount && (endings.get(phrase) ?? 0) >= 0.3 * n)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, options.max)
    .map(([phrase]) => phrase);
}
