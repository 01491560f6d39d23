// Captions crops with a vision chat model behind an OpenAI-compatible API: llama.cpp's llama-server
// with a LLaVA GGUF and its --mmproj projector, Ollama, vLLM, LM Studio. One crop per conversation,
// greedy decoding; multi-step prompts continue the same conversation and the last answer is the caption.
import { generateText, APICallError, RetryError, type ModelMessage } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { Captioner, CaptionRequest, CaptionResult } from '../types.ts';
import { resolveBox } from '../images/box.ts';
import { cropImage } from '../images/crop.ts';
import { log } from '../log.ts';
import { mapBounded } from './bounded.ts';
import { CaptionerError } from './errors.ts';
import { encodeForUpload } from './encode-upload.ts';
import { hash32, loadPrompt, renderPrompt } from './prompts.ts';
import { causeCodes, serverMessage } from '../http/api-errors.ts';

export interface OpenAiCompatibleSettings {
  name: string;
  /** Base URL of the API, ending in /v1 (e.g. http://127.0.0.1:8080/v1). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Default prompt (a name in configs/captioning/) when a request names none. */
  prompt: string;
  timeoutMs: number;
  concurrency: number;
  /** Further attempts after a failure that may pass (connection refused, timeout, 429, 5xx). */
  retries: number;
  /** Wait before the first retry; doubles at each further one. */
  backoffMs: number;
  maxImageSide: number;
  imageFormat: 'png' | 'jpeg';
}

const startHint =
  'start llama-server (llama-server -m llava-v1.5-7b-Q4_K_M.gguf --mmproj mmproj-model-f16.gguf --port 8080) ' +
  'or Ollama (ollama serve; ollama pull llava), or point VISUALREF_CAPTION_BASE_URL at your server';

/** The SDK's own retries are off, but should a RetryError come, the last real error is inside. */
function unwrapRetry(err: unknown): unknown {
  return RetryError.isInstance(err) ? err.lastError : err;
}

/** Turns what the SDK or the network threw into one clear message, and whether to try again. */
export function explainCaptionerError(err: unknown, settings: Pick<OpenAiCompatibleSettings, 'baseUrl' | 'model' | 'timeoutMs'>): CaptionerError {
  if (err instanceof CaptionerError) return err;
  const error = unwrapRetry(err);
  const { baseUrl, model } = settings;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new CaptionerError(`captioner at ${baseUrl} did not answer within ${settings.timeoutMs / 1000} s`, true, { cause: error });
  }
  const codes = causeCodes(error);
  if (codes.some((c) => ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ConnectionRefused'].includes(c))) {
    return new CaptionerError(`captioner unreachable at ${baseUrl}: ${startHint}`, true, { cause: error, brief: `captioner unreachable at ${baseUrl}` });
  }
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    if (status === undefined) {
      return new CaptionerError(`captioner at ${baseUrl} failed: ${error.message}`, error.isRetryable, { cause: error });
    }
    const message = serverMessage(error);
    if (/image|vision|mmproj|multimodal|multi-modal/i.test(message) && status >= 400) {
      return new CaptionerError(
        `model "${model}" at ${baseUrl} cannot take images (server said: ${message}); ` +
          'give llama-server the projector with --mmproj, or choose a vision model (e.g. ollama pull llava)',
        false,
        { cause: error },
      );
    }
    if (status === 401 || status === 403) {
      return new CaptionerError(`captioner at ${baseUrl} refused the API key (HTTP ${status}): set VISUALREF_CAPTION_API_KEY`, false, { cause: error });
    }
    if (status === 404) {
      return new CaptionerError(
        `captioner at ${baseUrl} has no model "${model}" or no chat endpoint (HTTP 404: ${message}); the base URL usually ends in /v1`,
        false,
        { cause: error },
      );
    }
    const retryable = status === 408 || status === 429 || status >= 500;
    return new CaptionerError(`captioner at ${baseUrl} answered HTTP ${status}: ${message}`, retryable, { cause: error });
  }
  return new CaptionerError(`captioner at ${baseUrl} failed: ${error instanceof Error ? error.message : String(error)}`, false, { cause: error });
}

/** Strips what chat models wrap short captions in: quotes, "Caption:", surrounding space. */
export function cleanCaption(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(caption|answer)\s*:\s*/i, '')
    .replace(/^["'“”‘’]+|["'“”‘’]+$/g, '')
    .trim();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class OpenAiCompatibleCaptioner implements Captioner {
  readonly name: string;
  private readonly chatModel;

  constructor(private readonly settings: OpenAiCompatibleSettings) {
    this.name = settings.name;
    const provider = createOpenAICompatible({
      name: 'visualref-captioner',
      baseURL: settings.baseUrl.replace(/\/+$/, ''),
      apiKey: settings.apiKey || undefined,
    });
    this.chatModel = provider.chatModel(settings.model);
  }

  /** What is stored with each caption: the prompt's version (a new wording means new captions). */
  versionFor(prompt?: string): string {
    return loadPrompt(prompt ?? this.settings.prompt).version;
  }

  caption(requests: CaptionRequest[]): Promise<CaptionResult[]> {
    return mapBounded(requests, this.settings.concurrency, (request) => this.captionOne(request));
  }

  private async captionOne(request: CaptionRequest): Promise<CaptionResult> {
    const prompt = loadPrompt(request.prompt ?? this.settings.prompt);
    const crop = request.box ? cropImage(request.image, resolveBox(request.box, 'px', request.image)) : request.image;
    const upload = await encodeForUpload(crop, this.settings.maxImageSide, this.settings.imageFormat);
    const texts = renderPrompt(prompt, {
      instructions: request.instructions,
      query: request.query,
      seed: request.seed ?? hash32(crop.data),
    });
    const started = performance.now();
    const messages: ModelMessage[] = [];
    let answer = '';
    for (const [i, text] of texts.entries()) {
      messages.push({
        role: 'user',
        content: i === 0 ? [{ type: 'image', image: upload.bytes, mediaType: upload.mediaType }, { type: 'text', text }] : text,
      });
      answer = await this.generate(messages, prompt.maxTokens);
      messages.push({ role: 'assistant', content: answer });
    }
    const text = cleanCaption(answer);
    if (!text) throw new CaptionerError(`captioner at ${this.settings.baseUrl} returned an empty caption`, true);
    return { text, model: this.settings.model, latencyMs: Math.round(performance.now() - started) };
  }

  private async generate(messages: ModelMessage[], maxTokens: number): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await generateText({
          model: this.chatModel,
          messages,
          temperature: 0,
          maxOutputTokens: maxTokens,
          maxRetries: 0,
          abortSignal: AbortSignal.timeout(this.settings.timeoutMs),
        });
        return result.text;
      } catch (err) {
        const error = explainCaptionerError(err, this.settings);
        if (!error.retryable || attempt >= this.settings.retries) throw error;
        const delay = this.settings.backoffMs * 2 ** attempt;
        log.warn(`${error.brief}; retrying in ${delay} ms (${attempt + 1}/${this.settings.retries})`);
        await sleep(delay);
      }
    }
  }
}
