// A tiny llama-architecture chat model with random weights, written as GGUF: what the tests of the
// llama agent load (no model download). Its chat template picks how node-llama-cpp formats the chat
// and function calls: the Functionary v3 template starts every answer in function-calling mode, so
// grammar-constrained decoding yields a valid tool call even from random weights; the ChatML one
// leaves the call to the model, which with random weights never makes one.
import { writeGguf, type GgufTensor, type GgufValue } from './gguf-writer.ts';
import { buildTinyVocab } from './tiny-vocab.ts';

export const chatTemplates = {
  // Functionary v3 (llama 3 special tokens, ">>>name\n{args}" calls), as MeetKai ships it.
  functionary:
    "{% for message in messages %}\n{% if message['role'] == 'user' or message['role'] == 'system' %}\n{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] + '<|eot_id|>' }}{% elif message['role'] == 'tool' %}\n{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] + '<|eot_id|>' }}{% else %}\n{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'}}{% if message['content'] is not none %}\n{{ '>>>all\n' + message['content'] }}{% endif %}\n{% if 'tool_calls' in message and message['tool_calls'] is not none %}\n{% for tool_call in message['tool_calls'] %}\n{{ '>>>' + tool_call['function']['name'] + '\n' + tool_call['function']['arguments'] }}{% endfor %}\n{% endif %}\n{{ '<|eot_id|>' }}{% endif %}\n{% endfor %}\n{% if add_generation_prompt %}{{ '<|start_header_id|>{role}<|end_header_id|>\n\n' }}{% endif %}",
  chatml:
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
} as const;
export type TinyTemplate = keyof typeof chatTemplates;

const controlTokens: Record<TinyTemplate, string[]> = {
  functionary: ['<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
  chatml: ['<s>', '</s>', '<|im_start|>', '<|im_end|>'],
};

export interface TinyModelShape {
  embedding: number;
  layers: number;
  heads: number;
  feedForward: number;
  contextLength: number;
}

export const tinyShape: TinyModelShape = { embedding: 64, layers: 2, heads: 4, feedForward: 128, contextLength: 8192 };

/** mulberry32: a seeded generator, so the same seed writes the same bytes. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TinyModelOptions {
  template: TinyTemplate;
  seed?: number;
  shape?: TinyModelShape;
  /** Write the header and tensor table only, with the tensors' sizes multiplied: a file that claims to be huge. */
  headerOnlyScale?: number;
}

export function writeTinyChatModel(path: string, options: TinyModelOptions): number {
  const shape = options.shape ?? tinyShape;
  const vocab = buildTinyVocab(controlTokens[options.template]);
  const next = random(options.seed ?? 22);
  const scale = options.headerOnlyScale ?? 1;
  const n = vocab.tokens.length;
  const { embedding: e, feedForward: ff } = shape;
  const tensor = (name: string, dims: number[], init: 'ones' | 'random'): GgufTensor => {
    const scaled = scale === 1 ? dims : [dims[0], ...dims.slice(1).map((d) => d * scale)];
    if (scale !== 1) return { name, dims: scaled };
    const size = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const std = 1 / Math.sqrt(dims[0]);
    for (let i = 0; i < size; i++) data[i] = init === 'ones' ? 1 : (next() * 2 - 1) * std * Math.sqrt(3);
    return { name, dims: scaled, data };
  };
  const tensors: GgufTensor[] = [tensor('token_embd.weight', [e, n], 'random')];
  for (let l = 0; l < shape.layers; l++) {
    const p = `blk.${l}.`;
    tensors.push(
      tensor(`${p}attn_norm.weight`, [e], 'ones'),
      tensor(`${p}attn_q.weight`, [e, e], 'random'),
      tensor(`${p}attn_k.weight`, [e, e], 'random'),
      tensor(`${p}attn_v.weight`, [e, e], 'random'),
      tensor(`${p}attn_output.weight`, [e, e], 'random'),
      tensor(`${p}ffn_norm.weight`, [e], 'ones'),
      tensor(`${p}ffn_gate.weight`, [e, ff], 'random'),
      tensor(`${p}ffn_up.weight`, [e, ff], 'random'),
      tensor(`${p}ffn_down.weight`, [ff, e], 'random'),
    );
  }
  tensors.push(tensor('output_norm.weight', [e], 'ones'), tensor('output.weight', [e, n], 'random'));
  const u32 = (value: number): GgufValue => ({ type: 'u32', value });
  const eot = vocab.tokens.indexOf(options.template === 'functionary' ? '<|eot_id|>' : '<|im_end|>');
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: `${options.template} tiny random` },
    'general.alignment': u32(32),
    'llama.context_length': u32(shape.contextLength),
    'llama.embedding_length': u32(e),
    'llama.block_count': u32(shape.layers),
    'llama.feed_forward_length': u32(ff),
    'llama.attention.head_count': u32(shape.heads),
    'llama.attention.head_count_kv': u32(shape.heads),
    'llama.rope.dimension_count': u32(e / shape.heads),
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: 1e-5 },
    'llama.vocab_size': u32(n),
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: vocab.tokens },
    'tokenizer.ggml.scores': { type: 'f32[]', value: vocab.scores },
    'tokenizer.ggml.token_type': { type: 'i32[]', value: vocab.types },
    'tokenizer.ggml.bos_token_id': u32(vocab.bos),
    'tokenizer.ggml.eos_token_id': u32(vocab.eos),
    'tokenizer.ggml.eot_token_id': u32(eot),
    'tokenizer.ggml.unknown_token_id': u32(vocab.unk),
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
    'tokenizer.chat_template': { type: 'string', value: chatTemplates[options.template] },
  };
  return writeGguf(path, metadata, tensors);
}
