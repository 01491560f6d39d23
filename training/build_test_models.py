#!/usr/bin/python3
"""Builds small random-weight CLIP- and SigLIP-shaped models in the Hugging Face ONNX layout.

The tiny models (test/models/tiny-clip, test/models/tiny-siglip) are committed and used by the
TypeScript tests: each folder gets a reference.json with token ids, preprocessed pixels and
PyTorch embeddings computed here with PIL/numpy/torch, independently of the TypeScript code.

`--full b32|l14 --out DIR` builds full-size random ViT-B/32- or ViT-L/14-shaped CLIP models (vision
and text) with fp16 and int8 variants, for benchmarks; those are not committed.
"""
import argparse
import json
import math
import os
import re
import sys
import unicodedata

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, numpy_helper, TensorProto
from PIL import Image, ImageDraw

from quantize_int8 import to_int8

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSET = 17
NEG = -1e4  # large enough to mask after softmax, small enough for float16

# ---------------------------------------------------------------------------------------------
# Transformer blocks (HF CLIP/SigLIP structure: pre-LN, attention then MLP, residuals)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, bias=None):
        b, n, w = x.shape
        hd = w // self.heads

        def split(t):
            return t.reshape(b, n, self.heads, hd).transpose(1, 2)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) * (hd ** -0.5)
        if bias is not None:
            scores = scores + bias
        out = torch.matmul(scores.softmax(-1), v).transpose(1, 2).reshape(b, n, w)
        return self.out_proj(out)


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def tanh_gelu(x):
    return F.gelu(x, approximate='tanh')


class Layer(nn.Module):
    def __init__(self, width, heads, act):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(width)
        self.self_attn = Attention(width, heads)
        self.layer_norm2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, width * 4)
        self.fc2 = nn.Linear(width * 4, width)
        self.act = act

    def forward(self, x, bias=None):
        x = x + self.self_attn(self.layer_norm1(x), bias)
        return x + self.fc2(self.act(self.fc1(self.layer_norm2(x))))


class Encoder(nn.Module):
    def __init__(self, width, heads, layers, act):
        super().__init__()
        self.layers = nn.ModuleList([Layer(width, heads, act) for _ in range(layers)])

    def forward(self, x, bias=None):
        for layer in self.layers:
            x = layer(x, bias)
        return x


# ---------------------------------------------------------------------------------------------
# CLIP


class ClipVision(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c['width']
        self.patch = nn.Conv2d(3, w, c['patch'], c['patch'], bias=False)
        self.cls = nn.Parameter(torch.randn(w) * 0.5)
        n = (c['image'] // c['patch']) ** 2 + 1
        self.pos = nn.Parameter(torch.randn(n, w) * 0.5)
        self.pre_layrnorm = nn.LayerNorm(w)
        self.encoder = Encoder(w, c['heads'], c['layers'], quick_gelu)
        self.post_layernorm = nn.LayerNorm(w)
        self.visual_projection = nn.Linear(w, c['dim'], bias=False)

    def forward(self, pixel_values):
        x = self.patch(pixel_values).flatten(2).transpose(1, 2)
        cls = self.cls.expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos
        hidden = self.encoder(self.pre_layrnorm(x))
        return self.visual_projection(self.post_layernorm(hidden[:, 0])), hidden


class ClipText(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c['text_width']
        self.token_embedding = nn.Embedding(c['vocab'], w)
        self.position_embedding = nn.Parameter(torch.randn(c['max_len'], w) * 0.5)
        self.encoder = Encoder(w, c['text_heads'], c['text_layers'], quick_gelu)
        self.final_layer_norm = nn.LayerNorm(w)
        self.text_projection = nn.Linear(w, c['dim'], bias=False)

    def forward(self, input_ids, attention_mask):
        n = input_ids.shape[1]
        x = self.token_embedding(input_ids) + self.position_embedding[:n]
        steps = torch.arange(n, device=input_ids.device)
        causal = (steps[None, :] > steps[:, None]).float() * NEG
        padding = (1.0 - attention_mask[:, None, None, :].float()) * NEG
        hidden = self.final_layer_norm(self.encoder(x, causal[None, None] + padding))
        # CLIP pools the end-of-text token, the highest id (argmax takes its first occurrence).
        eos = input_ids.argmax(dim=-1)
        pooled = hidden[torch.arange(hidden.shape[0]), eos]
        return self.text_projection(pooled), hidden


# ---------------------------------------------------------------------------------------------
# SigLIP


class MapHead(nn.Module):
    """SigLIP's attention-pooling head: one learned probe attends over the patch tokens."""

    def __init__(self, w, heads):
        super().__init__()
        self.probe = nn.Parameter(torch.randn(1, 1, w) * 0.5)
        self.heads = heads
        self.q = nn.Linear(w, w)
        self.k = nn.Linear(w, w)
        self.v = nn.Linear(w, w)
        self.out = nn.Linear(w, w)
        self.layernorm = nn.LayerNorm(w)
        self.fc1 = nn.Linear(w, w * 4)
        self.fc2 = nn.Linear(w * 4, w)

    def forward(self, x):
        b, n, w = x.shape
        hd = w // self.heads
        q = self.q(self.probe).expand(b, 1, w).reshape(b, 1, self.heads, hd).transpose(1, 2)
        k = self.k(x).reshape(b, n, self.heads, hd).transpose(1, 2)
        v = self.v(x).reshape(b, n, self.heads, hd).transpose(1, 2)
        att = (torch.matmul(q, k.transpose(-1, -2)) * hd ** -0.5).softmax(-1)
        h = self.out(torch.matmul(att, v).transpose(1, 2).reshape(b, 1, w))
        h = h + self.fc2(tanh_gelu(self.fc1(self.layernorm(h))))
        return h[:, 0]


class SiglipVision(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c['width']
        self.patch = nn.Conv2d(3, w, c['patch'], c['patch'])
        self.pos = nn.Parameter(torch.randn((c['image'] // c['patch']) ** 2, w) * 0.5)
        self.encoder = Encoder(w, c['heads'], c['layers'], tanh_gelu)
        self.post_layernorm = nn.LayerNorm(w)
        self.head = MapHead(w, c['heads'])

    def forward(self, pixel_values):
        x = self.patch(pixel_values).flatten(2).transpose(1, 2) + self.pos
        hidden = self.post_layernorm(self.encoder(x))
        return self.head(hidden), hidden


class SiglipText(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c['text_width']
        self.token_embedding = nn.Embedding(c['vocab'], w)
        self.position_embedding = nn.Parameter(torch.randn(c['max_len'], w) * 0.5)
        self.encoder = Encoder(w, c['text_heads'], c['text_layers'], tanh_gelu)
        self.final_layer_norm = nn.LayerNorm(w)
        self.head = nn.Linear(w, c['dim'])

    def forward(self, input_ids):
        n = input_ids.shape[1]
        x = self.token_embedding(input_ids) + self.position_embedding[:n]
        hidden = self.final_layer_norm(self.encoder(x))
        # SigLIP pools the last position (text is always padded to max_length).
        return self.head(hidden[:, -1]), hidden


# ---------------------------------------------------------------------------------------------
# Tokenizers, built by hand and deterministic


def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_MAP = bytes_to_unicode()
CLIP_SPLIT_JSON = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
# The same pattern in Python's `re` (no \p classes): letters = [^\W\d_], numbers = \d.
CLIP_SPLIT_PY = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+")

BPE_CORPUS = (
    'a photo of a cat the dog on the street red car parked two dogs playing in the snow '
    'picture with people sitting at table there is are walking running through grass field '
    'beach water ocean children child man woman men women standing beside near next to with '
    'black white brown green blue yellow orange small large big little young old playing played '
    'photograph photos cats cars trees tree house houses building buildings bicycle riding rides '
).split()


def clip_normalize(text):
    return re.sub(r'\s+', ' ', unicodedata.normalize('NFC', text)).lower()


def clip_words(text):
    return CLIP_SPLIT_PY.findall(clip_normalize(text))


def learn_merges(words, count):
    """Greedy BPE on byte-level symbols with '</w>' on each word's last symbol; ties broken by order."""
    seqs = []
    for w in words:
        syms = [BYTE_MAP[b] for b in w.encode('utf-8')]
        syms[-1] += '</w>'
        seqs.append(syms)
    merges = []
    for _ in range(count):
        freq = {}
        for s in seqs:
            for a, b in zip(s, s[1:]):
                freq[(a, b)] = freq.get((a, b), 0) + 1
        if not freq:
            break
        best = max(freq.items(), key=lambda kv: (kv[1], [-ord(ch) for ch in kv[0][0] + ' ' + kv[0][1]]))
        if best[1] < 2:
            break
        a, b = best[0]
        merges.append((a, b))
        new = []
        for s in seqs:
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            new.append(out)
        seqs = new
    return merges


def bpe(word, ranks):
    """OpenAI CLIP's BPE: repeatedly merge the lowest-ranked adjacent pair."""
    syms = [BYTE_MAP[b] for b in word.encode('utf-8')]
    syms[-1] += '</w>'
    while len(syms) > 1:
        pairs = [(ranks.get((a, b), math.inf), i) for i, (a, b) in enumerate(zip(syms, syms[1:]))]
        rank, _ = min(pairs)
        if rank == math.inf:
            break
        a, b = [p for p in zip(syms, syms[1:]) if ranks.get(p) == rank][0]
        out, i = [], 0
        while i < len(syms):
            if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                out.append(a + b)
                i += 2
            else:
                out.append(syms[i])
                i += 1
        syms = out
    return syms


class ClipTokenizer:
    def __init__(self, vocab_size=None, merge_count=120):
        base = [BYTE_MAP[b] for b in range(256)]
        symbols = base + [s + '</w>' for s in base]
        self.merges = learn_merges(BPE_CORPUS, merge_count)
        symbols += [a + b for a, b in self.merges]
        self.vocab = {s: i for i, s in enumerate(symbols)}
        size = vocab_size or len(symbols) + 2
        self.bos_id, self.eos_id = size - 2, size - 1
        self.vocab['<|startoftext|>'] = self.bos_id
        self.vocab['<|endoftext|>'] = self.eos_id
        self.size = size
        self.ranks = {m: i for i, m in enumerate(self.merges)}

    def ids(self, text, max_len=77):
        toks = []
        for w in clip_words(text):
            toks += [self.vocab[s] for s in bpe(w, self.ranks)]
        return [self.bos_id] + toks[: max_len - 2] + [self.eos_id]

    def tokenizer_json(self):
        special = lambda i, s: {'id': i, 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False,
                                'normalized': False, 'special': True}
        return {
            'version': '1.0',
            'truncation': None,
            'padding': None,
            'added_tokens': [special(self.bos_id, '<|startoftext|>'), special(self.eos_id, '<|endoftext|>')],
            'normalizer': {'type': 'Sequence', 'normalizers': [
                {'type': 'NFC'},
                {'type': 'Replace', 'pattern': {'Regex': r'\s+'}, 'content': ' '},
                {'type': 'Lowercase'}]},
            'pre_tokenizer': {'type': 'Sequence', 'pretokenizers': [
                {'type': 'Split', 'pattern': {'Regex': CLIP_SPLIT_JSON}, 'behavior': 'Removed', 'invert': True},
                {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': False}]},
            'post_processor': {
                'type': 'TemplateProcessing',
                'single': [{'SpecialToken': {'id': '<|startoftext|>', 'type_id': 0}},
                           {'Sequence': {'id': 'A', 'type_id': 0}},
                           {'SpecialToken': {'id': '<|endoftext|>', 'type_id': 0}}],
                'pair': [{'SpecialToken': {'id': '<|startoftext|>', 'type_id': 0}},
                         {'Sequence': {'id': 'A', 'type_id': 0}},
                         {'SpecialToken': {'id': '<|endoftext|>', 'type_id': 0}},
                         {'Sequence': {'id': 'B', 'type_id': 1}},
                         {'SpecialToken': {'id': '<|endoftext|>', 'type_id': 1}}],
                'special_tokens': {
                    '<|startoftext|>': {'id': '<|startoftext|>', 'ids': [self.bos_id], 'tokens': ['<|startoftext|>']},
                    '<|endoftext|>': {'id': '<|endoftext|>', 'ids': [self.eos_id], 'tokens': ['<|endoftext|>']}}},
            'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
            'model': {'type': 'BPE', 'dropout': None, 'unk_token': '<|endoftext|>', 'continuing_subword_prefix': '',
                      'end_of_word_suffix': '</w>', 'fuse_unk': False, 'byte_fallback': False,
                      'vocab': self.vocab, 'merges': [f'{a} {b}' for a, b in self.merges]},
        }

    @staticmethod
    def tokenizer_config():
        return {'tokenizer_class': 'CLIPTokenizer', 'model_max_length': 77, 'do_lower_case': True,
                'bos_token': '<|startoftext|>', 'eos_token': '<|endoftext|>', 'pad_token': '<|endoftext|>',
                'unk_token': '<|endoftext|>', 'clean_up_tokenization_spaces': True}


UNIGRAM_WORDS = ('a an the of on in at to with and photo picture cat cats dog dogs red blue green car cars '
                 'street snow two three playing parked man woman people tree house field grass water').split()
UNIGRAM_SUFFIXES = ['ing', 'ed', 's', 'er', 'est', 'ly']
LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789.,!?\'-'


class SiglipTokenizer:
    """A SentencePiece-style Unigram vocabulary: whole words beat suffix pieces beat single characters."""

    def __init__(self):
        pieces = [('<pad>', 0.0), ('</s>', 0.0), ('<unk>', 0.0)]
        for i, w in enumerate(UNIGRAM_WORDS):
            pieces.append(('\u2581' + w, -2.0 - 0.01 * i))
        for i, s in enumerate(UNIGRAM_SUFFIXES):
            pieces.append((s, -6.0 - 0.01 * i))
        pieces.append(('\u2581', -8.0))
        for i, ch in enumerate(LETTERS):
            pieces.append((ch, -10.0 - 0.01 * i))
            pieces.append(('\u2581' + ch, -9.5 - 0.01 * i))
        self.pieces = pieces
        self.index = {p: i for i, (p, _) in enumerate(pieces)}
        self.score = dict(pieces)
        self.eos_id, self.pad_id, self.unk_id = 1, 1, 2
        self.size = len(pieces)

    def viterbi(self, s):
        best = [(-math.inf, None)] * (len(s) + 1)
        best[0] = (0.0, None)
        for end in range(1, len(s) + 1):
            for start in range(end):
                piece = s[start:end]
                if piece in self.index and not piece.startswith('<') and best[start][0] > -math.inf:
                    cand = best[start][0] + self.score[piece]
                    if cand > best[end][0]:
                        best[end] = (cand, start)
        out, end = [], len(s)
        while end > 0:
            start = best[end][1]
            if start is None:
                raise ValueError(f'cannot segment {s!r}')
            out.append(self.index[s[start:end]])
            end = start
        return out[::-1]

    def ids(self, text, max_len=64):
        s = '\u2581' + text.lower().replace(' ', '\u2581')
        toks = self.viterbi(s)
        return toks[: max_len - 1] + [self.eos_id]

    def tokenizer_json(self):
        special = lambda i, s: {'id': i, 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False,
                                'normalized': False, 'special': True}
        return {
            'version': '1.0',
            'truncation': None,
            'padding': None,
            'added_tokens': [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>')],
            'normalizer': None,
            'pre_tokenizer': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
            'post_processor': {
                'type': 'TemplateProcessing',
                'single': [{'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
                'pair': [{'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}},
                         {'Sequence': {'id': 'B', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
                'special_tokens': {'</s>': {'id': '</s>', 'ids': [1], 'tokens': ['</s>']}}},
            'decoder': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
            'model': {'type': 'Unigram', 'unk_id': self.unk_id, 'vocab': [[p, s] for p, s in self.pieces],
                      'byte_fallback': False},
        }

    @staticmethod
    def tokenizer_config():
        return {'tokenizer_class': 'SiglipTokenizer', 'model_max_length': 64, 'do_lower_case': True,
                'eos_token': '</s>', 'pad_token': '</s>', 'unk_token': '<unk>', 'padding': 'max_length'}


# ---------------------------------------------------------------------------------------------
# Preprocessing as Hugging Face's image processors do it (PIL resize on uint8, then numpy)


def hf_resize_crop(img, pp):
    if 'shortest_edge' in pp['size']:
        size = pp['size']['shortest_edge']
        w, h = img.size
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = size, int(size * long / short)
        nw, nh = (new_short, new_long) if w <= h else (new_long, new_short)
        img = img.resize((nw, nh), resample=pp['resample'])
        ch, cw = pp['crop_size']['height'], pp['crop_size']['width']
        top, left = (nh - ch) // 2, (nw - cw) // 2
        return img.crop((left, top, left + cw, top + ch))
    return img.resize((pp['size']['width'], pp['size']['height']), resample=pp['resample'])


def pixel_tensor(img, pp):
    arr = np.asarray(img, dtype=np.float32) * np.float32(pp['rescale_factor'])
    arr = (arr - np.array(pp['image_mean'], dtype=np.float32)) / np.array(pp['image_std'], dtype=np.float32)
    return arr.transpose(2, 0, 1)[None].astype(np.float32)


# ---------------------------------------------------------------------------------------------
# ONNX export and variants


def export(model, args, path, input_names, output_names, dynamic):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(model, args, path, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic, opset_version=OPSET, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)


def to_fp16(src, dst):
    """Float initializers and constants to float16, keeping float32 inputs and outputs (Cast at both ends)."""
    m = onnx.load(src)
    g = m.graph
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT:
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name))
    for node in g.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type == TensorProto.FLOAT:
                attr.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(attr.t).astype(np.float16), attr.t.name))
            if node.op_type == 'Cast' and attr.name == 'to' and attr.i == TensorProto.FLOAT:
                attr.i = TensorProto.FLOAT16
    float_inputs = [i.name for i in g.input if i.type.tensor_type.elem_type == TensorProto.FLOAT]
    float_outputs = [o.name for o in g.output if o.type.tensor_type.elem_type == TensorProto.FLOAT]
    renames = {n: n + '_fp16' for n in float_inputs + float_outputs}
    for node in g.node:
        node.input[:] = [renames.get(i, i) for i in node.input]
        node.output[:] = [renames.get(o, o) for o in node.output]
    head = [helper.make_node('Cast', [n], [renames[n]], to=TensorProto.FLOAT16) for n in float_inputs]
    tail = [helper.make_node('Cast', [renames[n]], [n], to=TensorProto.FLOAT) for n in float_outputs]
    nodes = head + list(g.node) + tail
    del g.node[:]
    g.node.extend(nodes)
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, dst)


def dump(path, obj, compact=False):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, ensure_ascii=False, indent=None if compact else 2, separators=(',', ':') if compact else None)
        f.write('\n')


# ---------------------------------------------------------------------------------------------
# Model folders

CLIP_PREPROCESSOR = {
    'image_processor_type': 'CLIPImageProcessor', 'do_resize': True, 'size': {'shortest_edge': 224}, 'resample': 3,
    'do_center_crop': True, 'crop_size': {'height': 224, 'width': 224}, 'do_rescale': True,
    'rescale_factor': 1 / 255, 'do_normalize': True, 'do_convert_rgb': True,
    'image_mean': [0.48145466, 0.4578275, 0.40821073], 'image_std': [0.26862954, 0.26130258, 0.27577711]}
SIGLIP_PREPROCESSOR = {
    'image_processor_type': 'SiglipImageProcessor', 'do_resize': True, 'size': {'height': 224, 'width': 224},
    'resample': 2, 'do_rescale': True, 'rescale_factor': 1 / 255, 'do_normalize': True,
    'image_mean': [0.5, 0.5, 0.5], 'image_std': [0.5, 0.5, 0.5]}


def build_clip(out, c, tok, variants):
    torch.manual_seed(c['seed'])
    vision, text = ClipVision(c).eval(), ClipText(c).eval()
    s = c['image']
    export(vision, (torch.zeros(1, 3, s, s),), f'{out}/onnx/vision_model.onnx', ['pixel_values'],
           ['image_embeds', 'last_hidden_state'], {'pixel_values': {0: 'batch'}, 'image_embeds': {0: 'batch'},
                                                   'last_hidden_state': {0: 'batch'}})
    ids = torch.tensor([[tok.bos_id, 5, tok.eos_id]])
    export(text, (ids, torch.ones_like(ids)), f'{out}/onnx/text_model.onnx', ['input_ids', 'attention_mask'],
           ['text_embeds', 'last_hidden_state'],
           {'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'sequence'},
            'text_embeds': {0: 'batch'}, 'last_hidden_state': {0: 'batch', 1: 'sequence'}})
    config = {'model_type': 'clip', 'projection_dim': c['dim'],
              'text_config': {'hidden_size': c['text_width'], 'num_hidden_layers': c['text_layers'],
                              'num_attention_heads': c['text_heads'], 'max_position_embeddings': c['max_len'],
                              'vocab_size': tok.size, 'bos_token_id': tok.bos_id, 'eos_token_id': tok.eos_id,
                              'pad_token_id': tok.eos_id},
              'vision_config': {'hidden_size': c['width'], 'num_hidden_layers': c['layers'],
                                'num_attention_heads': c['heads'], 'image_size': s, 'patch_size': c['patch']}}
    write_common(out, config, CLIP_PREPROCESSOR, tok)
    for name in ('vision_model', 'text_model'):
        if 'fp16' in variants:
            to_fp16(f'{out}/onnx/{name}.onnx', f'{out}/onnx/{name}_fp16.onnx')
        if 'q8' in variants:
            to_int8(f'{out}/onnx/{name}.onnx', f'{out}/onnx/{name}_quantized.onnx')
    return vision, text


def build_siglip(out, c, tok):
    torch.manual_seed(c['seed'])
    vision, text = SiglipVision(c).eval(), SiglipText(c).eval()
    s = c['image']
    export(vision, (torch.zeros(1, 3, s, s),), f'{out}/onnx/vision_model.onnx', ['pixel_values'],
           ['image_embeds', 'last_hidden_state'], {'pixel_values': {0: 'batch'}, 'image_embeds': {0: 'batch'},
                                                   'last_hidden_state': {0: 'batch'}})
    export(text, (torch.ones(1, c['max_len'], dtype=torch.long),), f'{out}/onnx/text_model.onnx', ['input_ids'],
           ['text_embeds', 'last_hidden_state'],
           {'input_ids': {0: 'batch', 1: 'sequence'}, 'text_embeds': {0: 'batch'},
            'last_hidden_state': {0: 'batch', 1: 'sequence'}})
    config = {'model_type': 'siglip', 'projection_dim': c['dim'],
              'text_config': {'hidden_size': c['text_width'], 'num_hidden_layers': c['text_layers'],
                              'num_attention_heads': c['text_heads'], 'max_position_embeddings': c['max_len'],
                              'vocab_size': tok.size, 'eos_token_id': tok.eos_id, 'pad_token_id': tok.pad_id},
              'vision_config': {'hidden_size': c['width'], 'num_hidden_layers': c['layers'],
                                'num_attention_heads': c['heads'], 'image_size': s, 'patch_size': c['patch']}}
    write_common(out, config, SIGLIP_PREPROCESSOR, tok)
    return vision, text


def write_common(out, config, pp, tok):
    dump(f'{out}/config.json', config)
    dump(f'{out}/preprocessor_config.json', pp)
    dump(f'{out}/tokenizer.json', tok.tokenizer_json(), compact=True)
    dump(f'{out}/tokenizer_config.json', tok.tokenizer_config())


# ---------------------------------------------------------------------------------------------
# Fixtures and references

FIXTURES = os.path.join(REPO, 'test', 'fixtures', 'images')
TEXTS = [
    'a photo of a cat',
    'A red car parked on the street!',
    'two dogs playing in the snow',
    ' '.join(['a dog with a red ball on the grass near the water'] * 9),
]
BOX = {'x': 40, 'y': 30, 'w': 200, 'h': 150}


def make_fixture(name, w, h, seed):
    """A smooth synthetic scene (gradients and soft shapes), so resampling filters agree closely."""
    path = os.path.join(FIXTURES, name)
    if os.path.exists(path):
        return path
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    for ch in range(3):
        fx, fy, ph = rng.uniform(0.5, 2.0), rng.uniform(0.5, 2.0), rng.uniform(0, 6.28)
        img[..., ch] = 128 + 90 * np.sin(xx / w * fx * 3.14 + ph) * np.cos(yy / h * fy * 3.14)
    for _ in range(4):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(15, 50)
        color = rng.uniform(0, 255, 3)
        weight = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))[..., None]
        img = img * (1 - weight) + color * weight
    os.makedirs(FIXTURES, exist_ok=True)
    Image.fromarray(np.clip(img + 0.5, 0, 255).astype(np.uint8)).save(path, optimize=True)
    return path


def image_reference(vision, pp, img, out_dir, tag, tokens_rows=2):
    prepared = hf_resize_crop(img, pp)
    prepared.save(f'{out_dir}/reference/{tag}.png')
    tensor = pixel_tensor(prepared, pp)
    with torch.no_grad():
        embeds, hidden = vision(torch.from_numpy(tensor))
    flat = tensor.reshape(-1)
    rng = np.random.RandomState(7)
    idx = sorted(rng.choice(flat.size, 64, replace=False).tolist())
    return {
        'prepared': f'reference/{tag}.png',
        'pixelSamples': {'index': idx, 'value': [round(float(flat[i]), 6) for i in idx]},
        'pixelChannelMean': [round(float(tensor[0, ch].mean()), 6) for ch in range(3)],
        'embedding': [round(float(v), 7) for v in F.normalize(embeds, dim=-1)[0]],
        'tokensShape': list(hidden.shape[1:]),
        'tokensFirstRows': [[round(float(v), 6) for v in hidden[0, r]] for r in range(tokens_rows)],
    }


def write_reference(out, vision, text, pp, tok, family):
    os.makedirs(f'{out}/reference', exist_ok=True)
    land = make_fixture('scene-320x240.png', 320, 240, 1)
    port = make_fixture('scene-180x260.png', 180, 260, 2)
    images = []
    for path in (land, port):
        img = Image.open(path).convert('RGB')
        tag = os.path.splitext(os.path.basename(path))[0]
        entry = image_reference(vision, pp, img, out, tag)
        entry['file'] = os.path.relpath(path, REPO)
        images.append(entry)
    crop = Image.open(land).convert('RGB').crop((BOX['x'], BOX['y'], BOX['x'] + BOX['w'], BOX['y'] + BOX['h']))
    entry = image_reference(vision, pp, crop, out, 'scene-320x240-box')
    entry['file'] = os.path.relpath(land, REPO)
    entry['box'] = BOX
    images.append(entry)

    ids = [tok.ids(t) for t in TEXTS]
    if family == 'clip':
        longest = max(len(i) for i in ids)
        padded = [i + [tok.eos_id] * (longest - len(i)) for i in ids]
        mask = [[1] * len(i) + [0] * (longest - len(i)) for i in ids]
        with torch.no_grad():
            embeds, _ = text(torch.tensor(padded), torch.tensor(mask))
    else:
        padded = [i + [tok.pad_id] * (64 - len(i)) for i in ids]
        mask = None
        with torch.no_grad():
            embeds, _ = text(torch.tensor(padded))
    texts = [{'text': t, 'ids': i, 'embedding': [round(float(v), 7) for v in e]}
             for t, i, e in zip(TEXTS, ids, F.normalize(embeds, dim=-1))]
    dump(f'{out}/reference.json', {
        'note': 'Computed by training/build_test_models.py with PIL, numpy and PyTorch (not the TypeScript code).',
        'images': images,
        'texts': texts,
        'batch': {'inputIds': padded, 'attentionMask': mask},
    })


TINY_CLIP = dict(seed=1234, image=224, patch=32, width=32, heads=2, layers=2, dim=32,
                 text_width=32, text_heads=2, text_layers=2, max_len=77)
TINY_SIGLIP = dict(seed=4321, image=224, patch=16, width=32, heads=2, layers=2, dim=32,
                   text_width=32, text_heads=2, text_layers=2, max_len=64)
FULL = {
    'b32': dict(seed=32, image=224, patch=32, width=768, heads=12, layers=12, dim=512,
                text_width=512, text_heads=8, text_layers=12, max_len=77),
    'l14': dict(seed=14, image=224, patch=14, width=1024, heads=16, layers=24, dim=768,
                text_width=768, text_heads=12, text_layers=12, max_len=77),
}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--full', choices=sorted(FULL), help='build a full-size random CLIP instead of the tiny models')
    p.add_argument('--out', help='output folder (with --full)')
    p.add_argument('--variants', default='fp16,q8', help='extra variants for --full: fp16,q8 (comma separated)')
    args = p.parse_args()
    torch.set_num_threads(2)

    if args.full:
        if not args.out:
            p.error('--full needs --out DIR')
        c = FULL[args.full]
        tok = ClipTokenizer(vocab_size=49408)
        c = dict(c, vocab=tok.size)
        build_clip(args.out, c, tok, set(filter(None, args.variants.split(','))))
        print(f'built {args.full} into {args.out}')
        return

    out = os.path.join(REPO, 'test', 'models', 'tiny-clip')
    tok = ClipTokenizer()
    vision, text = build_clip(out, dict(TINY_CLIP, vocab=tok.size), tok, {'fp16', 'q8'})
    write_reference(out, vision, text, CLIP_PREPROCESSOR, tok, 'clip')
    print(f'built {out}')

    out = os.path.join(REPO, 'test', 'models', 'tiny-siglip')
    tok = SiglipTokenizer()
    vision, text = build_siglip(out, dict(TINY_SIGLIP, vocab=tok.size), tok)
    write_reference(out, vision, text, SIGLIP_PREPROCESSOR, tok, 'siglip')
    print(f'built {out}')


if __name__ == '__main__':
    sys.exit(main())
