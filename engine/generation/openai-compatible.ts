// Generates pictures with any server speaking the OpenAI image API (POST {baseUrl}/images/generations:
// a local Stable Diffusion server, LocalAI, ...) through the AI SDK's image model interface. One
// picture per prompt; a timeout per attempt, retries with backoff for failures that may pass, and one
// clear error for an unreachable server, a refused key, or no / no valid image returned.
import { generateImage, APICallError, NoImageGeneratedError, RetryError } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { log } from '../log.ts';
import { decodeGeneratedPicture, type PictureLimits } from './decode-generated.ts';
import { GenerationError } from './errors.ts';
import type { GenerationOutcome, GenerationRequest, ImageGenerator } from './image-generator.ts';
import { causeCodes, serverMessage } from '../http/api-errors.ts';

export interface OpenAiCompatibleGeneratorSettings extends PictureLimits {
  name: string;
  baseUrl: string;
  model: string;
  apiKey?: string;
  size: `${number}x${number}`;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

const startHint = 'start the image server, or point VISUALREF_GENERATION_BASE_URL at it (the base URL usually ends in /v1)';

/** Turns what the SDK or the network threw into one clear message, and whether to try again. */
export function explainGenerationError(err: unknown, settings: Pick<OpenAiCompatibleGeneratorSettings, 'baseUrl' | 'model' | 'timeoutMs'>): GenerationError {
  if (err instanceof GenerationError) return err;
  const error = RetryError.isInstance(err) ? err.lastError : err;
  const { baseUrl, model } = settings;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new GenerationError(`image generator at ${baseUrl} did not answer within ${settings.timeoutMs / 1000} s`, true, { cause: error });
  }
  if (causeCodes(error).some((c) => ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ECONNRESET'].includes(c))) {
    return new GenerationError(`image generator unreachable at ${baseUrl}: ${startHint}`, true, { cause: error });
  }
  if (NoImageGeneratedError.isInstance(error)) {
    return new GenerationError(`image generator at ${baseUrl} returned no image for model "${model}"`, false, { cause: error });
  }
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    if (status === undefined) return new GenerationError(`image generator at ${baseUrl} failed: ${error.message}`, error.isRetryable, { cause: error });
    const message = serverMessage(error);
    if (status === 401 || status === 403) {
      return new GenerationError(`image generator at ${baseUrl} refused the API key (HTTP ${status}): set VISUALREF_GENERATION_API_KEY`, false, { cause: error });
    }
    if (status === 404) {
      return new GenerationError(`image generator at ${baseUrl} has no model "${model}" or no /images/generations endpoint (HTTP 404: ${message}); the base URL usually ends in /v1`, false, { cause: error });
    }
    const retryable = status === 408 || status === 429 || status >= 500;
    return new GenerationError(`image generator at ${baseUrl} answered HTTP ${status}: ${message}`, retryable, { cause: error });
  }
  // The SDK's response checks (a body without b64_json or url) land here.
  return new GenerationError(`image generator at ${baseUrl} failed: ${error instanceof Error ? error.message : String(error)}`, false, { cause: error });
}

function abortable(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

export class OpenAiCompatibleGenerator implements ImageGenerator {
  readonly name: string;
  private readonly imageModel;

  constructor(private readonly settings: OpenAiCompatibleGeneratorSettings) {
    this.name = settings.name;
    const provider = createOpenAICompatible({
      name: 'visualref-generator',
      baseURL: settings.baseUrl.replace(/\/+$/, ''),
      apiKey: settings.apiKey || undefined,
    });
    this.imageModel = provider.imageModel(settings.model);
  }

  async generate(request: GenerationRequest): Promise<GenerationOutcome> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      let bytes: Uint8Array;
      try {
        const timeout = AbortSignal.timeout(this.settings.timeoutMs);
        const result = await generateImage({
          model: this.imageModel,
          prompt: request.prompt,
          n: 1,
          size: this.settings.size,
          maxRetries: 0,
          abortSignal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
        });
        bytes = result.image.uint8Array;
      } catch (err) {
        if (request.signal?.aborted) throw new GenerationError(`image generation at ${this.settings.baseUrl} was cancelled`, false, { cause: err });
        const error = explainGenerationError(err, this.settings);
        if (!error.retryable || attempt >= this.settings.retries) throw error;
        const delay = this.settings.backoffMs * 2 ** attempt;
        log.warn(`${error.message}; retrying in ${delay} ms (${attempt + 1}/${this.settings.retries})`);
        await abortable(delay, request.signal);
        continue;
      }
      const image = await decodeGeneratedPicture(bytes, this.settings, this.settings.baseUrl);
      return { picture: { image, generator: this.name, prompt: request.prompt, notes: [], latencyMs: performance.now() - started } };
    }
  }
}
