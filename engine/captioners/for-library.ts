// A captioner wired to a library: the offline captioner ranks phrases with the library's model and
// mines phrases from the captions already stored in it.
import type { Library } from '../library/library.ts';
import type { ModelRuntime } from '../library/model-runtime.ts';
import { CaptionStore } from './caption-store.ts';
import type { PhraseEmbedder } from './clip-phrases.ts';
import { chooseCaptionerName, createCaptioner, type VersionedCaptioner } from './create-captioner.ts';

/** The encoders of a loaded model, as the phrase captioner uses them. */
export function runtimeEmbedder(id: string, runtime: () => Promise<ModelRuntime>): PhraseEmbedder {
  return {
    id,
    async encodeImage(image) {
      const model = await runtime();
      const [vector] = await model.encodeImages([await model.prepare(image)]);
      return vector;
    },
    async encodeTexts(texts) {
      return (await runtime()).encodeTexts(texts);
    },
  };
}

export function captionerForLibrary(library: Library, name: string | undefined): VersionedCaptioner {
  const store = new CaptionStore(library.db);
  const chosen = chooseCaptionerName(name, library.model);
  return createCaptioner(chosen, {
    model: library.model,
    embedder: runtimeEmbedder(library.model, () => library.runtime()),
    // Its own earlier captions are not mined: they would change its phrases with every caption.
    collectionCaptions: () => store.allTexts({ excludeCaptioner: chosen }),
  });
}
