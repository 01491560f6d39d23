// The comment parser on a table of phrasings a user might type into the chat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseComment } from '../engine/feedback/comment-parser.ts';

type Row = [comment: string, positive: string[], negative: string[], referenced?: number[], rejected?: number[]];

const table: Row[] = [
  ['more like the beach ones, no people', ['beach'], ['people']],
  ['without text', [], ['text']],
  ['less blurry', [], ['blurry']],
  ['like the second one but at night, no people', ['at night'], ['people'], [2]],
  ['not red', [], ['red']],
  ['no more dogs', [], ['dogs']],
  ['avoid cars', [], ['cars']],
  ['fewer trees', [], ['trees']],
  ['I want stripes', ['stripes'], []],
  ['green instead of red', ['green'], ['red']],
  ['only outdoors', ['outdoors'], []],
  ['beach without people', ['beach'], ['people']],
  ['a dog, not a cat', ['dog'], ['cat']],
  ['a dog not a cat', ['dog'], ['cat']],
  ['no people or cars', [], ['people', 'cars']],
  ['no text and no logos', [], ['text', 'logos']],
  ['not like the first one', [], [], [], [1]],
  ['Show me sunsets please!', ['sunsets'], []],
  ["I don't want any cars", [], ['cars']],
  ['I don’t want to see buildings', [], ['buildings']],
  ['get rid of the watermark', [], ['watermark']],
  ['similar to #3 but brighter', ['brighter'], [], [3]],
  ['replace the red with blue', ['blue'], ['red']],
  ['anything but red', [], ['red']],
  ['too dark', [], ['dark']],
  ['more colourful, less cluttered', ['colourful'], ['cluttered']],
  ['pictures of dogs with a ball', ['dogs with a ball'], []],
  ['red and blue ball', ['red and blue ball'], []],
  ['I prefer cats over dogs', ['cats'], ['dogs']],
  ['like result 4', [], [], [4]],
  ['the 2nd image but without the man', [], ['man'], [2]],
  ['the first one is good, but no cars', [], ['cars'], [1]],
  ['the third and fourth look great', [], [], [3, 4]],
  ['outdoor rather than indoor', ['outdoor'], ['indoor']],
  ['exclude black and white photos', [], ['black and white']],
  ['no people nor cars', [], ['people', 'cars']],
  ['a second dog, not at first glance', ['second dog'], ['at first glance']],
  ['', [], []],
];

for (const [comment, positive, negative, referenced = [], rejected = []] of table) {
  test(`parses ${JSON.stringify(comment)}`, () => {
    assert.deepEqual(parseComment(comment), { positive, negative, referencedRanks: referenced, rejectedRanks: rejected });
  });
}
