// Region vectors from the image pass itself: adds a `token_embeds` output to a vision graph in the
// Hugging Face ONNX layout, so that one run gives the image embedding and every patch token
// projected into the joint space.
//
// The model's own head (the nodes between its token tensor and `image_embeds`) is cloned and fed
// the tokens reshaped from [B, T, W] to [B·T, 1, W]: each token becomes a one-token "image", so the
// head's pooling (CLIP's CLS pick, a mean/max over cells, SigLIP's attention probe) sees that token
// alone. For CLIP this applies post-layernorm and projection per token; for SigLIP's attention-pooling
// head it is the value path of MaskCLIP-style dense features (attention over one token is 1). Nothing
// is model-specific: the head is found by graph reachability, and its weights stay where they are.
import { bytesField, decodeFields, encodeFields, text, varintField, type Field } from './onnx-proto.ts';

export const tokenEmbedsOutput = 'token_embeds';
/** The head's input tokens [B, T, W], added as an output of the vision graph. */
export const headTokensOutput = 'head_tokens';

// Field numbers of onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const VALUE_NAME = 1;
const VALUE_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_ELEM = 1;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_NAME = 8;
const TENSOR_RAW = 9;
const TENSOR_LOCATION = 14;
const INT64 = 7;
const GRAPH_NAME = 2;
const GRAPH_INPUT = 11;

interface GraphNode {
  fields: Field[];
  inputs: string[];
  outputs: string[];
}

function parseNode(bytes: Uint8Array): GraphNode {
  const fields = decodeFields(bytes);
  return {
    fields,
    inputs: fields.filter((f) => f.no === NODE_INPUT).map((f) => text(f.value)),
    outputs: fields.filter((f) => f.no === NODE_OUTPUT).map((f) => text(f.value)),
  };
}

/** The tensor whose rows are the image's tokens and which the head reads (see the header). */
function tokenTensor(nodes: GraphNode[], headInputs: Set<string>): string | undefined {
  if (headInputs.has('last_hidden_state')) return 'last_hidden_state';
  // A model whose last_hidden_state is [summary, cells] built beside the head (the built-in CNN):
  // the head reads the cells, which are the one input of that Concat the head also reads.
  const producer = nodes.find((n) => n.outputs.includes('last_hidden_state'));
  const read = producer?.inputs.filter((name) => headInputs.has(name)) ?? [];
  return read.length === 1 ? read[0] : undefined;
}

function elemTypeOf(graph: Field[], output: string): bigint | undefined {
  for (const f of graph) {
    if (f.no !== GRAPH_OUTPUT) continue;
    const value = decodeFields(f.value as Uint8Array);
    if (text(value.find((v) => v.no === VALUE_NAME)?.value ?? new Uint8Array()) !== output) continue;
    const type = value.find((v) => v.no === VALUE_TYPE);
    const tensor = type && decodeFields(type.value as Uint8Array).find((v) => v.no === TYPE_TENSOR);
    const elem = tensor && decodeFields(tensor.value as Uint8Array).find((v) => v.no === TENSOR_TYPE_ELEM);
    return elem?.value as bigint | undefined;
  }
  return undefined;
}

interface Analysis {
  modelFields: Field[];
  graphIndex: number;
  graph: Field[];
  nodes: GraphNode[];
  elemType: bigint;
  tokens: string;
  head: GraphNode[];
}

function analyse(model: Uint8Array): Analysis | { reason: string } {
  const modelFields = decodeFields(model);
  const graphIndex = modelFields.findIndex((f) => f.no === MODEL_GRAPH);
  if (graphIndex < 0) return { reason: 'the file holds no graph' };
  const graph = decodeFields(modelFields[graphIndex].value as Uint8Array);
  const external = graph.some((f) => f.no === GRAPH_INITIALIZER && decodeFields(f.value as Uint8Array).some((t) => t.no === TENSOR_LOCATION && t.value === 1n));
  if (external) return { reason: 'its weights are in external data files' };
  const nodes = graph.filter((f) => f.no === GRAPH_NODE).map((f) => parseNode(f.value as Uint8Array));
  const elemType = elemTypeOf(graph, 'image_embeds');
  if (elemType === undefined) return { reason: 'it has no typed "image_embeds" output' };
  if (elemTypeOf(graph, tokenEmbedsOutput) !== undefined) return { reason: `it already has a "${tokenEmbedsOutput}" output` };

  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  // Nodes that image_embeds depends on.
  const ancestors = new Set<number>();
  const stack = ['image_embeds'];
  while (stack.length) {
    const i = producer.get(stack.pop() as string);
    if (i === undefined || ancestors.has(i)) continue;
    ancestors.add(i);
    stack.push(...nodes[i].inputs);
  }
  const headInputs = new Set([...ancestors].flatMap((i) => nodes[i].inputs));
  const tokens = tokenTensor(nodes, headInputs);
  if (!tokens) return { reason: 'its image_embeds does not follow from its last_hidden_state tokens' };
  // The head: the ancestors of image_embeds that depend on the token tensor (graph order is topological).
  const fromTokens = new Set([tokens]);
  const head: GraphNode[] = [];
  nodes.forEach((n, i) => {
    if (!n.inputs.some((name) => fromTokens.has(name))) return;
    n.outputs.forEach((o) => fromTokens.add(o));
    if (ancestors.has(i)) head.push(n);
  });
  return { modelFields, graphIndex, graph, nodes, elemType, tokens, head };
}

/** A graph input or output; without `elemType` the runtime infers it (the tokens' type is not declared in every graph). */
function tensorTypeField(no: number, name: string, elemType?: bigint): Field {
  if (elemType === undefined) return bytesField(no, encodeFields([bytesField(VALUE_NAME, name)]));
  const tensorType = encodeFields([varintField(TENSOR_TYPE_ELEM, elemType)]);
  return bytesField(no, encodeFields([bytesField(VALUE_NAME, name), bytesField(VALUE_TYPE, encodeFields([bytesField(TYPE_TENSOR, tensorType)]))]));
}

const elemTypes = { float32: 1n, float16: 10n } as const;

export interface TokenHeadModels {
  /** The vision graph with `token_embeds` [B·T, D] and `head_tokens` [B, T, W] outputs. */
  vision: Uint8Array;
  /**
   * The head alone: the tokens [N, n, W] → `image_embeds` [N, D], the model's pooling of any token
   * set; `tokenType` is head_tokens' type as the loaded vision graph reports it.
   */
  head(tokenType: keyof typeof elemTypes): Uint8Array;
}

/** The vision graph with its per-token outputs and the head as its own graph, or why not. */
export function addTokenEmbedsOutput(model: Uint8Array): TokenHeadModels | { reason: string } {
  const analysis = analyse(model);
  if ('reason' in analysis) return analysis;
  const head = headModel(analysis, elemTypes.float32);
  if ('reason' in head) return head;
  return {
    vision: visionWithTokenOutputs(analysis),
    head: (tokenType) => (tokenType === 'float32' ? head.model : (headModel(analysis, elemTypes[tokenType]) as { model: Uint8Array }).model),
  };
}

/** The head's nodes with what they need that is not computed from the tokens (constants, shapes). */
function headModel(a: Analysis, tokenType: bigint): { model: Uint8Array } | { reason: string } {
  const producer = new Map<string, GraphNode>();
  for (const n of a.nodes) for (const o of n.outputs) producer.set(o, n);
  const initializers = new Map<string, Field>();
  for (const f of a.graph) {
    if (f.no !== GRAPH_INITIALIZER) continue;
    const name = decodeFields(f.value as Uint8Array).find((t) => t.no === TENSOR_NAME);
    if (name) initializers.set(text(name.value), f);
  }
  const included = new Set<GraphNode>(a.head);
  const usedInitializers = new Set<string>();
  const stack = a.head.flatMap((n) => n.inputs);
  while (stack.length) {
    const name = stack.pop() as string;
    if (name === '' || name === a.tokens) continue;
    if (initializers.has(name)) {
      usedInitializers.add(name);
      continue;
    }
    const n = producer.get(name);
    if (!n) return { reason: `its head reads "${name}", which is neither a weight nor computed from the tokens` };
    if (included.has(n)) continue;
    included.add(n);
    stack.push(...n.inputs);
  }
  const graph: Field[] = [
    ...a.nodes.filter((n) => included.has(n)).map((n) => bytesField(GRAPH_NODE, encodeFields(n.fields))),
    bytesField(GRAPH_NAME, 'token_head'),
    ...[...usedInitializers].map((name) => initializers.get(name) as Field),
    tensorTypeField(GRAPH_INPUT, a.tokens, tokenType),
    ...a.graph.filter((f) => f.no === GRAPH_OUTPUT && text(decodeFields(f.value as Uint8Array).find((v) => v.no === VALUE_NAME)?.value ?? new Uint8Array()) === 'image_embeds'),
  ];
  const fields = a.modelFields.map((f, i) => (i === a.graphIndex ? bytesField(MODEL_GRAPH, encodeFields(graph)) : f));
  return { model: encodeFields(fields) };
}

function visionWithTokenOutputs(a: Analysis): Uint8Array {
  const { tokens, head } = a;

  const suffix = '/token_embeds';
  const perToken = `${tokens}${suffix}/rows`;
  const shapeName = `${tokens}${suffix}/shape`;
  const renamed = new Map<string, string>([[tokens, perToken]]);
  for (const n of head) for (const o of n.outputs) renamed.set(o, o === 'image_embeds' ? tokenEmbedsOutput : `${o}${suffix}`);

  const shape = new BigInt64Array([-1n, 1n, 0n]); // [B·T, 1, W]: 0 keeps the width
  const added: Field[] = [
    bytesField(GRAPH_INITIALIZER, encodeFields([
      varintField(TENSOR_DIMS, 3),
      varintField(TENSOR_DATA_TYPE, INT64),
      bytesField(TENSOR_NAME, shapeName),
      bytesField(TENSOR_RAW, new Uint8Array(shape.buffer)),
    ])),
    bytesField(GRAPH_NODE, encodeFields([
      bytesField(NODE_INPUT, tokens),
      bytesField(NODE_INPUT, shapeName),
      bytesField(NODE_OUTPUT, perToken),
      bytesField(NODE_NAME, `${tokens}${suffix}/Reshape`),
      bytesField(4, 'Reshape'),
    ])),
  ];
  for (const n of head) {
    const fields = n.fields.map((f) => {
      if (f.no === NODE_INPUT || f.no === NODE_OUTPUT) {
        const name = text(f.value);
        return bytesField(f.no, renamed.get(name) ?? name);
      }
      if (f.no === NODE_NAME) return bytesField(f.no, `${text(f.value)}${suffix}`);
      return f;
    });
    added.push(bytesField(GRAPH_NODE, encodeFields(fields)));
  }
  added.push(
    bytesField(GRAPH_NODE, encodeFields([
      bytesField(NODE_INPUT, tokens),
      bytesField(NODE_OUTPUT, headTokensOutput),
      bytesField(NODE_NAME, `${tokens}${suffix}/Identity`),
      bytesField(4, 'Identity'),
    ])),
    tensorTypeField(GRAPH_OUTPUT, tokenEmbedsOutput, a.elemType),
    tensorTypeField(GRAPH_OUTPUT, headTokensOutput),
  );
  const newModel = [...a.modelFields];
  newModel[a.graphIndex] = bytesField(MODEL_GRAPH, encodeFields([...a.graph, ...added]));
  return encodeFields(newModel);
}
