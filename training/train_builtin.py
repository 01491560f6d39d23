#!/usr/bin/python3
"""Trains the built-in model: a small contrastive dual encoder for the synthetic scene world.

Image encoder: a CNN on 64-px input whose 4x4 final feature cells are the patch tokens.
Text encoder: a two-layer transformer over a word-level vocabulary.
Each batch mixes three kinds of pairs:
  - scene <-> one of its five captions,
  - single-object crop <-> "a <colour> <shape>" (or with its pattern): without these, crops of
    objects are not understood (see docs/feedback.md),
  - random window <-> a caption of the objects it contains (or of the background when empty),
    which teaches the model what parts of scenes look like, for region feedback.
Exports the Hugging Face CLIP ONNX layout to the output folder, with a training log.
"""
import argparse
import json
import math
import os
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

IMAGE_SIZE = 64
MAX_LEN = 32
EMBED_DIM = 128
TEXT_WIDTH = 128
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
BACKGROUND_NOUNS = {"grass": "grass", "sand": "sand", "water": "water", "brick": "bricks", "snow": "snow", "wood": "wood"}


# ----------------------------------------------------------------------------- text

def words_of(text):
    # Mirrors the exported tokenizer: lowercase, then BERT pre-tokenisation (words and punctuation).
    return re.findall(r"\w+|[^\w\s]", text.lower())


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def colour_shape(colour, shape):
    return f"{article(colour)} {colour} {shape}"


def object_phrase(obj, rng, pattern_p):
    if rng.random_sample() < pattern_p:
        pattern = "plain" if obj["pattern"] == "solid" else obj["pattern"]
        return f"{article(obj['colour'])} {obj['colour']} {pattern} {obj['shape']}"
    return colour_shape(obj["colour"], obj["shape"])


class Vocab:
    def __init__(self, words):
        self.tokens = SPECIALS + sorted(set(words) - set(SPECIALS))
        self.index = {w: i for i, w in enumerate(self.tokens)}

    def encode(self, text):
        ids = [2] + [self.index.get(w, 1) for w in words_of(text)][: MAX_LEN - 2] + [3]
        return ids

    def batch(self, texts):
        encoded = [self.encode(t) for t in texts]
        length = max(len(e) for e in encoded)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.int64)
        for i, e in enumerate(encoded):
            ids[i, : len(e)] = e
            mask[i, : len(e)] = 1
        return torch.from_numpy(ids), torch.from_numpy(mask)


# ----------------------------------------------------------------------------- images

def to_model_input(img):
    """Shortest edge to 64 (bicubic), centre crop: what preprocessor_config.json declares."""
    w, h = img.size
    scale = IMAGE_SIZE / min(w, h)
    nw, nh = max(IMAGE_SIZE, math.floor(w * scale)), max(IMAGE_SIZE, math.floor(h * scale))
    img = img.resize((nw, nh), Image.BICUBIC)
    left, top = (nw - IMAGE_SIZE) // 2, (nh - IMAGE_SIZE) // 2
    img = img.crop((left, top, left + IMAGE_SIZE, top + IMAGE_SIZE))
    return np.asarray(img, dtype=np.uint8)


def padded_box(box, rng, size, lo=0.0, hi=0.3):
    x, y, w, h = box
    px, py = w * rng.uniform(lo, hi), h * rng.uniform(lo, hi)
    x0, y0 = max(0, x - px), max(0, y - py)
    x1, y1 = min(size, x + w + px), min(size, y + h + py)
    return (int(x0), int(y0), int(math.ceil(x1)), int(math.ceil(y1)))


def inside_fraction(box, window):
    x, y, w, h = box
    wx0, wy0, wx1, wy1 = window
    ix = max(0, min(x + w, wx1) - max(x, wx0))
    iy = max(0, min(y + h, wy1) - max(y, wy0))
    return ix * iy / max(1, w * h)


def window_caption(entry, window, rng):
    inside = [o for o in entry["objects"] if inside_fraction(o["box"], window) >= 0.6]
    bg = BACKGROUND_NOUNS[entry["background"]]
    if not inside:
        return bg
    phrases = [object_phrase(o, rng, 0.3) for o in inside]
    text = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return text + (f" on {bg}" if rng.random_sample() < 0.3 else "")


def prepare(world_dir, windows_per_scene, seed, log):
    """Decodes the world once into 64-px arrays of scenes, object crops and windows (cached)."""
    captions = json.load(open(os.path.join(world_dir, "captions.json")))
    # The name changes whenever what is prepared changes, so a stale cache is never read.
    cache = os.path.join(world_dir, f"prepared-v2-{IMAGE_SIZE}-{windows_per_scene}-{seed}.npz")
    images = captions["images"]
    if os.path.exists(cache):
        data = np.load(cache, allow_pickle=False)
        log(f"loaded prepared arrays from {cache}")
        return images, data["scenes"], data["crops"], data["crop_obj"], data["windows"], list(data["window_text"])
    rng = np.random.RandomState(seed)
    scenes, crops, crop_obj, windows, window_text = [], [], [], [], []
    started = time.time()
    for n, entry in enumerate(images):
        img = Image.open(os.path.join(world_dir, entry["filename"])).convert("RGB")
        size = img.size[0]
        scenes.append(to_model_input(img))
        for k, obj in enumerate(entry["objects"]):
            crops.append(to_model_input(img.crop(padded_box(obj["box"], rng, size))))
            crop_obj.append((n, k))
        for _ in range(windows_per_scene):
            side = int(rng.uniform(0.3, 0.75) * size)
            x0, y0 = rng.randint(0, size - side + 1), rng.randint(0, size - side + 1)
            window = (x0, y0, x0 + side, y0 + side)
            windows.append(to_model_input(img.crop(window)))
            window_text.append(window_caption(entry, window, rng))
        if (n + 1) % 5000 == 0:
            log(f"prepared {n + 1}/{len(images)} scenes ({time.time() - started:.0f} s)")
    arrays = dict(
        scenes=np.stack(scenes), crops=np.stack(crops), crop_obj=np.array(crop_obj, dtype=np.int32),
        windows=np.stack(windows) if windows else np.zeros((0, IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8),
        window_text=np.array(window_text, dtype=str),
    )
    np.savez(cache, **arrays)
    return images, arrays["scenes"], arrays["crops"], arrays["crop_obj"], arrays["windows"], window_text


MEAN_T = torch.tensor(MEAN).view(1, 3, 1, 1)
STD_T = torch.tensor(STD).view(1, 3, 1, 1)


def to_tensor(batch_uint8):
    # NHWC in memory ("channels last"): the CNN trains about 25% faster on CPU that way.
    x = torch.from_numpy(batch_uint8).permute(0, 3, 1, 2).float() / 255.0
    return ((x - MEAN_T) / STD_T).contiguous(memory_format=torch.channels_last)


# ----------------------------------------------------------------------------- models

def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class VisionModel(nn.Module):
    """CNN, 64 px -> 4x4 cells of 256 features; tokens = [mean cell, 16 cells]."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            conv_block(3, 24), nn.MaxPool2d(2),        # 32
            conv_block(24, 48), nn.MaxPool2d(2),       # 16
            conv_block(48, 96), nn.MaxPool2d(2),       # 8
            conv_block(96, 192), nn.MaxPool2d(2),      # 4
            conv_block(192, 256),
        )
        self.proj = nn.Linear(512, EMBED_DIM)

    def forward(self, pixel_values):
        cells = self.body(pixel_values).flatten(2).transpose(1, 2)  # [B, 16, 256]
        mean = cells.mean(dim=1)
        pooled = torch.cat([mean, cells.max(dim=1).values], dim=1)
        image_embeds = F.normalize(self.proj(pooled), dim=-1)
        last_hidden_state = torch.cat([mean.unsqueeze(1), cells], dim=1)
        return image_embeds, last_hidden_state


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.ff = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width))

    def forward(self, x, bias):
        b, l, w = x.shape
        q, k, v = self.qkv(self.ln1(x)).reshape(b, l, 3, self.heads, w // self.heads).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(w // self.heads) + bias
        y = (att.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, l, w)
        x = x + self.out(y)
        return x + self.ff(self.ln2(x))


class TextModel(nn.Module):
    """Two-layer transformer; masked mean over real tokens, so right-padding changes nothing."""

    def __init__(self, vocab_size):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, TEXT_WIDTH)
        self.pos = nn.Parameter(torch.randn(MAX_LEN, TEXT_WIDTH) * 0.02)
        self.blocks = nn.ModuleList([Block(TEXT_WIDTH, 4), Block(TEXT_WIDTH, 4)])
        self.ln = nn.LayerNorm(TEXT_WIDTH)
        self.proj = nn.Linear(TEXT_WIDTH, EMBED_DIM)

    def forward(self, input_ids, attention_mask):
        x = self.embed(input_ids) + self.pos[: input_ids.shape[1]]
        mask = attention_mask.to(x.dtype)
        bias = (1.0 - mask)[:, None, None, :] * -1e4
        for block in self.blocks:
            x = block(x, bias)
        x = self.ln(x)
        pooled = (x * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return F.normalize(self.proj(pooled), dim=-1), x


# ----------------------------------------------------------------------------- training

def contrastive_loss(img, txt, keys, scale):
    """Symmetric InfoNCE; identical texts in a batch count as positives of each other's images."""
    logits = scale * img @ txt.t()
    same = torch.tensor([[a == b for b in keys] for a in keys], dtype=torch.float32)
    targets = same / same.sum(1, keepdim=True)
    loss_i = -(targets * logits.log_softmax(1)).sum(1).mean()
    loss_t = -(targets * logits.t().log_softmax(1)).sum(1).mean()
    return (loss_i + loss_t) / 2


@torch.no_grad()
def evaluate(vision, text, vocab, images, scenes, crops, crop_obj):
    vision.eval()
    text.eval()
    img = torch.cat([vision(to_tensor(scenes[i:i + 256]))[0] for i in range(0, len(scenes), 256)])
    queries = [e["sentences"][0]["raw"] for e in images]
    txt = torch.cat([text(*vocab.batch(queries[i:i + 256]))[0] for i in range(0, len(queries), 256)])
    sims = txt @ img.t()
    target = sims.diag().unsqueeze(1)
    ranks = (sims > target).sum(1)
    hits1 = (ranks == 0).float().mean().item()
    hits5 = (ranks < 5).float().mean().item()
    colours = sorted({e["objects"][k]["colour"] for e in images for k in range(len(e["objects"]))})
    shapes = sorted({e["objects"][k]["shape"] for e in images for k in range(len(e["objects"]))})
    phrases = [(c, s) for c in colours for s in shapes]
    ptxt = text(*vocab.batch([colour_shape(c, s) for c, s in phrases]))[0]
    n = min(len(crops), 2000)
    cimg = torch.cat([vision(to_tensor(crops[i:min(i + 256, n)]))[0] for i in range(0, n, 256)])
    best = (cimg @ ptxt.t()).argmax(1)
    correct = 0
    for j in range(n):
        s, k = crop_obj[j]
        obj = images[s]["objects"][k]
        correct += phrases[best[j]] == (obj["colour"], obj["shape"])
    vision.train()
    text.train()
    return dict(hits1=hits1, hits5=hits5, crop_acc=correct / n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True, help="world folder of the train split")
    ap.add_argument("--val", required=True, help="world folder of the val split")
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.RandomState(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log_path = os.path.join(args.out, "training-log.txt")
    log_file = open(log_path + ".tmp", "w")
    started = time.time()

    def log(message):
        line = f"[{time.time() - started:7.1f}s] {message}"
        print(line, file=sys.stderr, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    log(f"args: {vars(args)}; torch {torch.__version__}")
    images, scenes, crops, crop_obj, windows, window_text = prepare(args.train, 2, args.seed, log)
    val_images, val_scenes, val_crops, val_crop_obj, _, _ = prepare(args.val, 0, args.seed + 1, log)
    log(f"train: {len(scenes)} scenes, {len(crops)} crops, {len(windows)} windows; val: {len(val_scenes)} scenes")

    words = set()
    for e in images:
        for s in e["sentences"]:
            words.update(words_of(s["raw"]))
    for t in window_text:
        words.update(words_of(t))
    for e in images:
        for o in e["objects"]:
            words.update([o["colour"], o["shape"], o["pattern"], o["size"]])
    words.update(["a", "an", "plain"])
    vocab = Vocab(words)
    log(f"vocabulary: {len(vocab.tokens)} tokens")

    vision, text = VisionModel().to(memory_format=torch.channels_last), TextModel(len(vocab.tokens))
    log_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
    params = list(vision.parameters()) + list(text.parameters()) + [log_scale]
    count = lambda m: sum(p.numel() for p in m.parameters())
    log(f"parameters: vision {count(vision)}, text {count(text)}")
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    warmup = max(1, min(100, args.steps // 10))
    schedule = lambda step: min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, step / args.steps)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)

    # Crops are learnt quickly (0.99 after 600 steps with a quarter of the batch); scenes are the
    # slow part, so they get most of each batch.
    n_scene, n_crop = args.batch * 5 // 8, args.batch // 8
    n_window = args.batch - n_scene - n_crop
    for step in range(args.steps):
        si = rng.randint(0, len(scenes), n_scene)
        ci = rng.randint(0, len(crops), n_crop)
        wi = rng.randint(0, len(windows), n_window)
        texts = [images[i]["sentences"][rng.randint(5)]["raw"] for i in si]
        for j in ci:
            s, k = crop_obj[j]
            texts.append(object_phrase(images[s]["objects"][k], rng, 0.35))
        texts += [str(window_text[j]) for j in wi]
        pixels = np.concatenate([scenes[si], crops[ci], windows[wi]])
        # Mirror half the images: shapes here are left-right symmetric, relations are not, so only
        # crops and windows without a relation word are flipped.
        flip = np.zeros(len(pixels), dtype=bool)
        flip[n_scene:] = rng.random_sample(len(pixels) - n_scene) < 0.5
        pixels[flip] = pixels[flip][:, :, ::-1]
        keys = [" ".join(words_of(t)) for t in texts]
        img, _ = vision(to_tensor(np.ascontiguousarray(pixels)))
        txt, _ = text(*vocab.batch(texts))
        loss = contrastive_loss(img, txt, keys, log_scale.exp().clamp(max=100))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0 or step == args.steps - 1:
            log(f"step {step} loss {loss.item():.3f} scale {log_scale.exp().item():.1f} lr {sched.get_last_lr()[0]:.5f}")
        if (step + 1) % 300 == 0 or step == args.steps - 1:
            log(f"val after {step + 1} steps: {evaluate(vision, text, vocab, val_images, val_scenes, val_crops, val_crop_obj)}")

    export(vision, text, vocab, args.out, log)
    log(f"done in {time.time() - started:.0f} s")
    log_file.close()
    os.replace(log_path + ".tmp", log_path)


# ----------------------------------------------------------------------------- export

def write_json(path, value):
    with open(path + ".tmp", "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def export(vision, text, vocab, out, log):
    vision = vision.to(memory_format=torch.contiguous_format)
    vision.eval()
    text.eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    ids, mask = vocab.batch(["a red circle on grass", "a star"])
    path = os.path.join(out, "onnx", "text_model.onnx")
    torch.onnx.export(
        text, (ids, mask), path + ".tmp", input_names=["input_ids", "attention_mask"],
        output_names=["text_embeds", "last_hidden_state"], opset_version=14,
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                      "text_embeds": {0: "batch"}, "last_hidden_state": {0: "batch", 1: "sequence"}},
    )
    os.replace(path + ".tmp", path)
    path = os.path.join(out, "onnx", "vision_model.onnx")
    torch.onnx.export(
        vision, (torch.zeros(2, 3, IMAGE_SIZE, IMAGE_SIZE),), path + ".tmp", input_names=["pixel_values"],
        output_names=["image_embeds", "last_hidden_state"], opset_version=14,
        dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}, "last_hidden_state": {0: "batch"}},
    )
    os.replace(path + ".tmp", path)

    write_json(os.path.join(out, "config.json"), {
        "model_type": "clip",
        "projection_dim": EMBED_DIM,
        "architectures": ["VisualrefBuiltinDualEncoder"],
        "text_config": {"model_type": "clip_text_model", "hidden_size": TEXT_WIDTH, "num_hidden_layers": 2,
                        "num_attention_heads": 4, "max_position_embeddings": MAX_LEN,
                        "vocab_size": len(vocab.tokens), "pad_token_id": 0},
        "vision_config": {"model_type": "clip_vision_model", "hidden_size": 256, "image_size": IMAGE_SIZE,
                          "patch_size": IMAGE_SIZE // 4, "num_channels": 3},
    })
    write_json(os.path.join(out, "preprocessor_config.json"), {
        "image_processor_type": "CLIPImageProcessor",
        "do_resize": True, "size": {"shortest_edge": IMAGE_SIZE}, "resample": 3,
        "do_center_crop": True, "crop_size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE},
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": MEAN, "image_std": STD, "do_convert_rgb": True,
    })
    specials = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True} for i, t in enumerate(SPECIALS)]
    write_json(os.path.join(out, "tokenizer.json"), {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": MAX_LEN, "strategy": "LongestFirst", "stride": 0},
        "padding": None,
        "added_tokens": specials,
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [vocab.index[t]], "tokens": [t]} for t in ["[CLS]", "[SEP]"]},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab.index},
    })
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "tokenizer_class": "BertTokenizerFast", "model_max_length": MAX_LEN, "do_lower_case": True,
        "pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]",
        "padding_side": "right",
    })
    log(f"exported to {out}")


if __name__ == "__main__":
    main()
