// What a model reads before calling a tool: enough to call it right without any other document.
export const toolDescriptions = {
  search: [
    'Search the local image library by meaning (CLIP embeddings). Give `text` (what to find, in plain words, e.g.',
    '"a red circle next to a blue square"), or an example image: `imageId` (an id from earlier results) or',
    '`imageBase64` (a JPEG/PNG/WebP file as base64), or text and an image together.',
    'Returns a `sessionId`, the `turn` number and ranked `results` ({id, score, rank, width, height}; width and',
    'height are the original image size in pixels, the space boxes are given in), small thumbnails of the top',
    'results and image://{id} links to the full images.',
    'Keep the sessionId: pass it to caption-region and refine-query to improve these results. Omit it to start a',
    'new search; pass it to search again within the same session.',
  ].join(' '),
  captionRegion: [
    'Describe in a few words what a rectangular part of a library image shows, using a vision captioner.',
    'Use it to name the part of a result the user pointed at (e.g. "the dog on the left"), then show or edit the',
    'caption. `box` is {x, y, w, h} with x, y the top-left corner, either in pixels of the original image (see',
    'width/height in search results) or as fractions 0..1 of its width and height (`units`: "px" or "fraction";',
    'by default fractions when all four values are within 0..1). `relevant`: true when the region shows what the',
    'user wants, false when it shows what they do not want. With `sessionId`, the region and its caption are',
    'remembered and applied automatically by the next refine-query of that session.',
  ].join(' '),
  refineQuery: [
    'Improve the results of a search session with relevance feedback and return the new ranking.',
    'Give any combination of: `relevant` / `irrelevant` (ids of results that are / are not what the user wants);',
    '`regions` (boxes on result images, each relevant or not, optionally with a caption: a box alone is compared',
    'by its pixels, a caption by its words); `comment` (the user\'s own words, e.g. "more like the beach ones, no',
    'people": positive and negative phrases are both understood); `text` (a new description of what is wanted).',
    'Regions remembered by caption-region with the same sessionId are applied too, once.',
    'Each result carries `previousRank` (null when new to the list) and `explanation` says what each feedback',
    'source contributed and how many results moved. Feedback accumulates over turns; weights are optional.',
  ].join(' '),
};
