// Rule-based reading of a free-text comment ("more like the beach ones, no people") into positive and
// negative phrases to embed, plus references to results by rank ("like the second one").
//
// Rules, applied in order:
//  1. Lower-case; split into clauses at , ; . ! ? newlines and at "but" / "though" / "however"
//     ("anything but X" is first rewritten to "no X").
//  2. "X instead of Y" / "X rather than Y" / "X over Y" (in a preference) → +X, −Y;
//     "replace Y with X" / "swap Y for X" → −Y, +X.
//  3. References to results ("the second one", "#2", "result 2", "2nd image") are removed from the
//     clause and recorded: in referencedRanks, or in rejectedRanks when the clause is negative
//     ("not like the first one", "unlike #3").
//  4. A clause that starts with a negative cue (no, not, without, avoid, less, fewer, no more, don't
//     want, remove, exclude, too, ...) is negative as a whole; its phrase list is split at
//     "or" / "nor" / "and no" ("no people or cars" → −people, −cars), not at a bare "and", which
//     usually joins one thing ("no black and white photos").
//  5. Otherwise the clause is cut at the first negative cue inside it ("beach without people",
//     "a dog not a cat"): the part before is positive, the rest is read again by rule 4.
//  6. Positive phrases lose leading filler (more like, i want, show me, only, with, ...) and are kept
//     whole ("red and blue ball" stays one phrase).
//  7. Every phrase loses leading articles/determiners and trailing filler (ones, images, pictures,
//     please, anymore, ...); empty phrases and bare pronouns/nouns like "it", "image" are dropped;
//     duplicates are removed, first occurrence kept.

export interface ParsedComment {
  /** Phrases describing what the user wants more of. */
  positive: string[];
  /** Phrases describing what the user wants less of / none of. */
  negative: string[];
  /** 1-based ranks of results the user points to as good examples ("like the second one"). */
  referencedRanks: number[];
  /** 1-based ranks the user points to as bad examples ("not like the first one"). */
  rejectedRanks: number[];
}

const ORDINALS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
};

const ITEM_NOUN = '(?:one|ones|image|images|picture|pictures|photo|photos|pic|pics|result|results|shot)';

// Cues that make a clause negative when it starts with them; longest first so "no more" beats "no".
const LEADING_NEGATIVE = [
  "i don't want to see",
  'i do not want to see',
  "i don't want",
  'i do not want',
  "i don't like",
  'i do not like',
  "don't want",
  'do not want',
  "don't like",
  "don't show",
  'do not show',
  "don't include",
  'do not include',
  'stop showing',
  'nothing with',
  'nothing like',
  'not like',
  'get rid of',
  'no more',
  'not so',
  'not as',
  'not too',
  'none of',
  'no need for',
  'excluding',
  'exclude',
  'without',
  'unlike',
  'avoid',
  'remove',
  'drop',
  'hide',
  'less',
  'fewer',
  'minus',
  'except',
  'never',
  'too',
  'not',
  'no',
];

// Cues that start a negative part in the middle of a clause.
const INNER_NEGATIVE = ['with no', 'and no', 'and not', 'without', 'minus', 'except', 'excluding', 'no', 'not', 'less', 'fewer'];

// Filler in front of a positive phrase; removed repeatedly ("i want only more of ...").
const LEADING_FILLER = [
  "i'm looking for",
  'i am looking for',
  'looking for',
  "i'd like",
  'i would like',
  'i want',
  'i need',
  'i prefer',
  'show me',
  'give me',
  'more like',
  'more of',
  'similar to',
  'something like',
  'ones that are',
  'ones with',
  'ones that have',
  'that have',
  'that has',
  'should be',
  'make it',
  'make them',
  'a bit',
  'a little',
  'a lot of',
  'lots of',
  'images of',
  'pictures of',
  'photos of',
  'prefer',
  'want',
  'need',
  'more',
  'like',
  'only',
  'just',
  'with',
  'containing',
  'include',
  'add',
  'also',
  'maybe',
  'please',
  'even',
  'much',
  'rather',
  'some',
  'something',
];

const LEADING_DETERMINERS = ['the', 'a', 'an', 'any', 'all', 'some', 'those', 'these', 'of'];

const TRAILING_FILLER = [
  'in the pictures',
  'in the picture',
  'in the images',
  'in the image',
  'in them',
  'in it',
  'any more',
  'anymore',
  'at all',
  'please',
  'instead',
  'as well',
  'too',
  'ones',
  'one',
  'images',
  'image',
  'pictures',
  'picture',
  'photos',
  'photo',
  'pics',
  'results',
];

const EMPTY_PHRASES = new Set(['and', 'or', 'it', 'them', 'this', 'that', 'these', 'those', 'one', 'ones', 'image', 'images', 'picture', 'pictures', 'photo', 'photos', 'thing', 'things', 'anything', 'everything', 'stuff']);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (words: readonly string[]) => words.map(escape).join('|');

const LEADING_NEGATIVE_RE = new RegExp(`^(?:${alternation(LEADING_NEGATIVE)})\\b\\s*`);
const INNER_NEGATIVE_RE = new RegExp(`\\s(?:${alternation(INNER_NEGATIVE)})\\s`);
const LEADING_FILLER_RE = new RegExp(`^(?:${alternation(LEADING_FILLER)})\\b\\s*`);
const LEADING_DETERMINER_RE = new RegExp(`^(?:${alternation(LEADING_DETERMINERS)})\\s+`);
const TRAILING_FILLER_RE = new RegExp(`\\s*\\b(?:${alternation(TRAILING_FILLER)})$`);
// "the first one is good": the judgement itself names nothing to search for.
const TRAILING_JUDGEMENT_RE = /\s*\b(?:is|are|was|were|looks?|seems?)\s+(?:good|great|right|perfect|nice|close|closer|better|best|fine|ok|okay)$/;

const REFERENCE_RES: RegExp[] = [
  // "the second one", "second image", "the 2nd", "2nd photo"; not "a second dog" or "at first"
  new RegExp(`(?<!\\b(?:a|an|at)\\s)\\b(?:the\\s+)?(${Object.keys(ORDINALS).join('|')}|\\d+(?:st|nd|rd|th))(?:\\s+${ITEM_NOUN})?\\b`, 'g'),
  // "#2", "result 2", "image no. 3", "number 4"
  new RegExp(`(?:#\\s*|\\b(?:the\\s+)?(?:result|image|picture|photo|pic|number|no\\.?)\\s*#?\\s*)(\\d+)\\b`, 'g'),
];

interface Clause {
  text: string;
  negative: boolean;
}

export function parseComment(comment: string): ParsedComment {
  const out: ParsedComment = { positive: [], negative: [], referencedRanks: [], rejectedRanks: [] };
  const text = comment
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\b(?:anything|everything) but\b/g, ', no');
  for (const raw of text.split(/[,;.!?\n]+|\b(?:but|though|however)\b/)) {
    for (const clause of splitPreferences(raw.replace(/\s+/g, ' ').trim())) readClause(clause, out);
  }
  out.positive = unique(out.positive);
  out.negative = unique(out.negative);
  out.referencedRanks = unique(out.referencedRanks);
  out.rejectedRanks = unique(out.rejectedRanks);
  return out;
}

/** Rule 2: turn a preference between two things into a positive and a negative clause. */
function splitPreferences(clause: string): Clause[] {
  const replace = /^(?:replace|swap|change)\s+(.+?)\s+(?:with|for|to|into)\s+(.+)$/.exec(clause);
  if (replace) return [{ text: replace[1], negative: true }, { text: replace[2], negative: false }];
  const instead = /^(.*?)\s*\b(?:instead of|rather than)\s+(.+)$/.exec(clause);
  if (instead) return [{ text: instead[1], negative: false }, { text: instead[2], negative: true }];
  const over = /^(?:i prefer|prefer)\s+(.+?)\s+(?:over|to)\s+(.+)$/.exec(clause);
  if (over) return [{ text: over[1], negative: false }, { text: over[2], negative: true }];
  return [{ text: clause, negative: false }];
}

function readClause(clause: Clause, out: ParsedComment): void {
  let text = clause.text;
  let negative = clause.negative;
  const lead = LEADING_NEGATIVE_RE.exec(text);
  if (lead) {
    negative = true;
    text = text.slice(lead[0].length);
  }
  text = extractReferences(text, negative ? out.rejectedRanks : out.referencedRanks);
  if (negative) {
    for (const part of text.split(/\s+(?:or|nor|and no|and not|and without)\s+|\s*\/\s*/)) push(out.negative, part.replace(LEADING_NEGATIVE_RE, ''));
    return;
  }
  const inner = INNER_NEGATIVE_RE.exec(` ${text} `);
  if (inner) {
    // The match was found in " text ", so its index is one ahead of the original string.
    push(out.positive, text.slice(0, Math.max(0, inner.index - 1)));
    readClause({ text: text.slice(Math.max(0, inner.index)).trim(), negative: false }, out);
    return;
  }
  push(out.positive, text);
}

function extractReferences(text: string, into: number[]): string {
  let rest = text;
  for (const re of REFERENCE_RES) {
    rest = rest.replace(re, (_match, token: string) => {
      const rank = ORDINALS[token] ?? Number.parseInt(token, 10);
      if (Number.isInteger(rank) && rank >= 1) into.push(rank);
      return ' ';
    });
  }
  return rest.replace(/\s+/g, ' ').trim();
}

function push(into: string[], rawPhrase: string): void {
  const phrase = cleanPhrase(rawPhrase);
  if (phrase && !EMPTY_PHRASES.has(phrase)) into.push(phrase);
}

/** Rules 6-7: strip filler at both ends until nothing more comes off. */
function cleanPhrase(raw: string): string {
  let phrase = raw.replace(/[^\p{L}\p{N}'\- ]/gu, ' ').replace(/\s+/g, ' ').trim();
  for (;;) {
    const before = phrase;
    phrase = phrase
      .replace(TRAILING_JUDGEMENT_RE, '')
      .replace(LEADING_FILLER_RE, '')
      .replace(LEADING_DETERMINER_RE, '')
      .replace(TRAILING_FILLER_RE, '')
      .trim();
    if (phrase === before) return phrase;
  }
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
