#!/usr/bin/python3
"""Trains the attentive feedback summarizer (AFS) of a model folder on frozen backbone features.

Architecture (feedback-spec section 5, the paper's section 3.3): query text tokens and the patch
tokens of the top-K retrieved images are projected to the AFS width; a learnable CLS token is
prepended to the query. Block 1: cross-attention, queries = CLS + query tokens, keys/values = the K
items' tokens (plus an additive logit bias, zero in training, used for box steering). Block 2:
self-attention over the query sequence. The CLS output, projected to the embedding size and
normalised, is the positive vector p. The graph also returns the cross-attention each item token
received (mean over heads and real query positions), from which inference forms the negative vector
(eq. 8) and the saliency maps.
Training: for each caption of a training image, the caption is the query and its top-K images by the
frozen model are the relevance sequence. Objectives (--objective):
  cosine (default)  the paper's image-only loss 1 - cos(p, embedding of the caption's image);
  rocchio           what inference does with p: the query moved by one Rocchio step with p and the eq. 8
                    negative, q' = norm(alpha q + beta p - gamma n), must rank the caption's image first
                    among the pool's images (softmax cross-entropy over the pool, --rank-temperature).
AdamW, cosine schedule, early stopping on the objective's loss over a held-out validation split of images.
Each validation also logs MRR@5 of the held-out captions' images before / after one AFS Rocchio step,
and, of the captions whose image is among the K, how often the query's embedding and p are closest to
it: p can only lift retrieval where it picks the image out of the K better than the query does
(models/builtin/README.md).
Features come from training/afs-features.ts (the engine's own encoders). Writes <out>/onnx/afs.onnx,
<out>/afs.json (settings and the backbone fingerprint), <out>/afs-reference.json (fixed inputs and the
PyTorch outputs, for the ONNX check) and <out>/afs-training-log.txt.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FORMAT_VERSION = 1


def load_features(folder):
    meta = json.load(open(os.path.join(folder, "meta.json")))
    n, m = meta["images"], meta["captions"]

    def read(name, dtype, shape):
        return np.fromfile(os.path.join(folder, name), dtype=dtype).reshape(shape)

    return meta, dict(
        image_embeds=read("image_embeds.f32", np.float32, (n, meta["embedDim"])),
        image_tokens=read("image_tokens.f32", np.float32, (n, meta["imageTokens"], meta["imageWidth"])),
        text_embeds=read("text_embeds.f32", np.float32, (m, meta["embedDim"])),
        text_tokens=read("text_tokens.f32", np.float32, (m, meta["maxTextLength"], meta["textWidth"])),
        text_lengths=read("text_lengths.i32", np.int32, (m,)),
        caption_image=read("caption_image.i32", np.int32, (m,)),
    )


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(width, width)
        self.kv = nn.Linear(width, 2 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x, memory, bias):
        b, lq, w = x.shape
        h, d = self.heads, w // self.heads
        q = self.q(x).reshape(b, lq, h, d).transpose(1, 2)
        k, v = self.kv(memory).reshape(b, -1, 2, h, d).permute(2, 0, 3, 1, 4)
        att = ((q @ k.transpose(-1, -2)) / math.sqrt(d) + bias).softmax(dim=-1)
        return self.out((att @ v).transpose(1, 2).reshape(b, lq, w)), att


class FeedForward(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.ln = nn.LayerNorm(width)
        self.body = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x):
        return x + self.body(self.ln(x))


class AFS(nn.Module):
    def __init__(self, text_width, image_width, image_tokens, embed_dim, width, heads):
        super().__init__()
        self.image_tokens = image_tokens
        self.query_in = nn.Linear(text_width, width)
        self.item_in = nn.Linear(image_width, width)
        self.cls = nn.Parameter(torch.randn(1, 1, width) * 0.02)
        # Which token of its image a relevance token is (CLS / mean first, then the patches).
        self.item_pos = nn.Parameter(torch.randn(image_tokens, width) * 0.02)
        self.ln_query1 = nn.LayerNorm(width)
        self.ln_items = nn.LayerNorm(width)
        self.cross = Attention(width, heads)
        self.ff1 = FeedForward(width)
        self.ln_query2 = nn.LayerNorm(width)
        self.self_att = Attention(width, heads)
        self.ff2 = FeedForward(width)
        self.ln_out = nn.LayerNorm(width)
        self.proj = nn.Linear(width, embed_dim)

    def forward(self, query_tokens, query_mask, item_tokens, attention_bias):
        b = query_tokens.shape[0]
        x = torch.cat([self.cls.expand(b, -1, -1), self.query_in(query_tokens)], dim=1)
        mask = torch.cat([torch.ones_like(query_mask[:, :1]), query_mask], dim=1)
        items = self.item_in(item_tokens)
        w = items.shape[-1]
        items = (items.reshape(b, -1, self.image_tokens, w) + self.item_pos).reshape(b, -1, w)
        y, att = self.cross(self.ln_query1(x), self.ln_items(items), attention_bias[:, None, None, :])
        x = self.ff1(x + y)
        # Attention each item token received: mean over heads, then over the real query positions.
        per_query = att.mean(dim=1) * mask[:, :, None]
        received = per_query.sum(dim=1) / mask.sum(dim=1, keepdim=True)
        z = self.ln_query2(x)
        y, _ = self.self_att(z, z, ((1.0 - mask) * -1e4)[:, None, None, :])
        x = self.ff2(x + y)
        summary = F.normalize(self.proj(self.ln_out(x[:, 0])), dim=-1)
        return summary, received


def split_images(n, val_fraction, seed):
    order = np.random.RandomState(seed).permutation(n)
    n_val = max(1, int(round(n * val_fraction)))
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def retrieval_sets(feats, pool, k):
    """Captions of the pool's images and, for each, its top-k images within the pool (the frozen model's ranking)."""
    in_pool = np.zeros(len(feats["image_embeds"]), dtype=bool)
    in_pool[pool] = True
    captions = np.nonzero(in_pool[feats["caption_image"]])[0]
    pool_embeds = feats["image_embeds"][pool]
    tops = []
    for start in range(0, len(captions), 2048):
        sims = feats["text_embeds"][captions[start:start + 2048]] @ pool_embeds.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        tops.append(np.take_along_axis(part, order, axis=1))
    return captions, pool[np.concatenate(tops)]


class Batch:
    """One batch of training examples: the AFS's inputs, the query's and the items' embeddings, the target."""

    def __init__(self, feats, captions, top, rows, device):
        lengths = feats["text_lengths"][captions[rows]]
        length = int(lengths.max())
        self.query = torch.from_numpy(feats["text_tokens"][captions[rows], :length]).to(device)
        self.mask = torch.from_numpy((np.arange(length)[None, :] < lengths[:, None]).astype(np.float32)).to(device)
        items = feats["image_tokens"][top[rows]]  # [B, K, T, W]
        self.items = torch.from_numpy(items.reshape(len(rows), -1, items.shape[-1])).to(device)
        self.bias = torch.zeros(self.items.shape[:2], device=device)
        self.q = torch.from_numpy(feats["text_embeds"][captions[rows]]).to(device)
        self.top = top[rows]
        self.item_embeds = torch.from_numpy(feats["image_embeds"][self.top]).to(device)  # [B, K, D]
        self.image = feats["caption_image"][captions[rows]]
        self.target = torch.from_numpy(feats["image_embeds"][self.image]).to(device)


class Objective:
    """The training loss and the query one AFS Rocchio step gives (eq. 2 with p and the eq. 8 negative)."""

    def __init__(self, name, feats, pool, device, tau, rank_temperature, alpha=0.8, beta=0.1, gamma=0.1):
        self.name, self.tau, self.rank_temperature = name, tau, rank_temperature
        self.alpha, self.beta, self.gamma = alpha, beta, gamma
        self.pool = torch.from_numpy(feats["image_embeds"][pool]).to(device)
        self.position = np.full(len(feats["image_embeds"]), -1, dtype=np.int64)
        self.position[pool] = np.arange(len(pool))

    def moved(self, batch, summary, received):
        shares = received.reshape(summary.shape[0], batch.item_embeds.shape[1], -1).sum(-1)
        n = ((-shares / self.tau).softmax(dim=1)[:, :, None] * batch.item_embeds).sum(1)
        return F.normalize(self.alpha * batch.q + self.beta * summary - self.gamma * n, dim=-1)

    def losses(self, batch, summary, received):
        """Per example: the loss, and the rank of the target in the pool before and after the step."""
        moved = self.moved(batch, summary, received)
        target = torch.from_numpy(self.position[batch.image]).to(moved.device)
        if self.name == "cosine":
            loss = 1 - (summary * batch.target).sum(-1)
        else:
            loss = F.cross_entropy(moved @ self.pool.T / self.rank_temperature, target, reduction="none")
        ranks = []
        for vectors in (batch.q, moved):
            sims = vectors @ self.pool.T
            own = sims.gather(1, target[:, None])
            ranks.append((sims > own).sum(1))
        return loss, ranks


def mrr5(ranks):
    return torch.where(ranks < 5, 1.0 / (ranks + 1).float(), torch.zeros_like(ranks, dtype=torch.float))


@torch.no_grad()
def validate(model, objective, feats, captions, top, device, batch=512):
    """The objective's mean loss and MRR@5 of the caption's image in the pool before / after one step."""
    model.eval()
    total, before, after, shown, by_query, by_summary = 0.0, 0.0, 0.0, 0, 0, 0
    for start in range(0, len(captions), batch):
        b = Batch(feats, captions, top, np.arange(start, min(start + batch, len(captions))), device)
        summary, received = model(b.query, b.mask, b.items, b.bias)
        loss, (r0, r1) = objective.losses(b, summary, received)
        total += loss.sum().item()
        before += mrr5(r0).sum().item()
        after += mrr5(r1).sum().item()
        # Of the examples whose image is among the K: how often the query / p is closest to it.
        is_target = torch.from_numpy(b.image[:, None] == b.top).to(summary.device)
        rows = is_target.any(1)
        shown += int(rows.sum())
        hits = [int((is_target.gather(1, (b.item_embeds * v[:, None, :]).sum(-1).argmax(1)[:, None])[:, 0] & rows).sum()) for v in (b.q, summary)]
        by_query += hits[0]
        by_summary += hits[1]
    model.train()
    n = max(1, len(captions))
    return total / n, before / n, after / n, by_query / max(1, shown), by_summary / max(1, shown)


def write_json(path, value, indent=1):
    with open(path + ".tmp", "w") as f:
        json.dump(value, f, indent=indent)
        f.write("\n")
    os.replace(path + ".tmp", path)


def export(model, meta, settings, out, log):
    model = model.cpu().eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    gen = torch.Generator().manual_seed(1234)
    t = meta["imageTokens"]
    # Fixed inputs for the ONNX-vs-PyTorch check: 2 queries of 5 tokens (one padded to 3), 2 items each,
    # a box-steering bias on some tokens.
    query = torch.randn(2, 5, meta["textWidth"], generator=gen)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.float32)
    items = torch.randn(2, 2 * t, meta["imageWidth"], generator=gen)
    bias = torch.zeros(2, 2 * t)
    bias[0, 1:4] = 5.0
    bias[1, t + 2: t + 5] = -5.0
    path = os.path.join(out, "onnx", "afs.onnx")
    torch.onnx.export(
        model, (query, mask, items, bias), path + ".tmp",
        input_names=["query_tokens", "query_mask", "item_tokens", "attention_bias"],
        output_names=["summary", "attention"], opset_version=14,
        dynamic_axes={"query_tokens": {0: "batch", 1: "query"}, "query_mask": {0: "batch", 1: "query"},
                      "item_tokens": {0: "batch", 1: "items"}, "attention_bias": {0: "batch", 1: "items"},
                      "summary": {0: "batch"}, "attention": {0: "batch", 1: "items"}},
    )
    os.replace(path + ".tmp", path)
    with torch.no_grad():
        summary, attention = model(query, mask, items, bias)
    round6 = lambda x: [round(float(v), 6) for v in x.flatten()]
    write_json(os.path.join(out, "afs-reference.json"), {
        "query_tokens": {"dims": list(query.shape), "data": round6(query)},
        "query_mask": {"dims": list(mask.shape), "data": round6(mask)},
        "item_tokens": {"dims": list(items.shape), "data": round6(items)},
        "attention_bias": {"dims": list(bias.shape), "data": round6(bias)},
        "summary": {"dims": list(summary.shape), "data": round6(summary)},
        "attention": {"dims": list(attention.shape), "data": round6(attention)},
    }, indent=None)
    write_json(os.path.join(out, "afs.json"), {
        "format": FORMAT_VERSION,
        "backbone": meta["backbone"],
        "embedDim": meta["embedDim"],
        "textWidth": meta["textWidth"],
        "imageWidth": meta["imageWidth"],
        "imageTokens": t,
        **settings,
    }, indent=2)
    log(f"exported {path} ({os.path.getsize(path)} bytes)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True, help="folder written by training/afs-features.ts")
    ap.add_argument("--out", required=True, help="the model folder: onnx/afs.onnx and afs.json go there")
    ap.add_argument("--top-k", type=int, default=5)
    ap.add_argument("--width", type=int, default=0, help="AFS width (default: the text encoder's)")
    ap.add_argument("--heads", type=int, default=0, help="attention heads (default: width / 32)")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--patience", type=int, default=3, help="validations without improvement before stopping")
    ap.add_argument("--tau", type=float, default=0.05, help="temperature of the negative vector (eq. 8)")
    ap.add_argument("--objective", choices=["cosine", "rocchio"], default="cosine",
                    help="cosine: the paper's 1 - cos(p, image); rocchio: rank the image first after one Rocchio step")
    ap.add_argument("--rank-temperature", type=float, default=0.02, help="softmax temperature of the rocchio objective")
    ap.add_argument("--val-captions", type=int, default=0, help="validation captions used (0: all; fewer: faster checks)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.RandomState(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    os.makedirs(args.out, exist_ok=True)
    log_path = os.path.join(args.out, "afs-training-log.txt")
    log_file = open(log_path + ".tmp", "w")
    started = time.time()

    def log(message):
        line = f"[{time.time() - started:7.1f}s] {message}"
        print(line, file=sys.stderr, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    log(f"args: {vars(args)}; torch {torch.__version__}; device {device}")
    meta, feats = load_features(args.features)
    width = args.width or meta["textWidth"]
    heads = args.heads or max(1, width // 32)
    train_pool, val_pool = split_images(meta["images"], args.val_fraction, args.seed)
    k = min(args.top_k, len(val_pool), len(train_pool))
    train_captions, train_top = retrieval_sets(feats, train_pool, k)
    val_captions, val_top = retrieval_sets(feats, val_pool, k)
    if args.val_captions:
        keep = np.sort(rng.permutation(len(val_captions))[: args.val_captions])
        val_captions, val_top = val_captions[keep], val_top[keep]
    log(f"{len(train_pool)} train images ({len(train_captions)} captions), {len(val_pool)} val images ({len(val_captions)} captions); top-{k}; width {width}, {heads} heads")
    train_objective = Objective(args.objective, feats, train_pool, device, args.tau, args.rank_temperature)
    val_objective = Objective(args.objective, feats, val_pool, device, args.tau, args.rank_temperature)

    model = AFS(meta["textWidth"], meta["imageWidth"], meta["imageTokens"], meta["embedDim"], width, heads).to(device)
    log(f"parameters: {sum(p.numel() for p in model.parameters())}")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    warmup = max(1, min(100, args.steps // 10))
    schedule = lambda step: min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, step / args.steps)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)

    best, best_state, stale, step = float("inf"), None, 0, 0
    for step in range(args.steps):
        rows = rng.randint(0, len(train_captions), min(args.batch, len(train_captions)))
        b = Batch(feats, train_captions, train_top, rows, device)
        summary, received = model(b.query, b.mask, b.items, b.bias)
        loss = train_objective.losses(b, summary, received)[0].mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        last = step == args.steps - 1
        if step % 50 == 0 or last:
            log(f"step {step} loss {loss.item():.4f} lr {sched.get_last_lr()[0]:.6f}")
        if (step + 1) % args.eval_every == 0 or last:
            val, before, after, by_query, by_summary = validate(model, val_objective, feats, val_captions, val_top, device)
            log(f"val loss after {step + 1} steps: {val:.4f}; MRR@5 of the caption's image: query {before:.4f}, after one AFS Rocchio step {after:.4f}; "
                f"image among the K closest to the query {by_query:.3f}, to p {by_summary:.3f}")
            if val < best - 1e-5:
                best, stale = val, 0
                best_state = {name: p.detach().clone() for name, p in model.state_dict().items()}
            else:
                stale += 1
                if stale >= args.patience:
                    log(f"early stop: no improvement in {stale} validations")
                    break
    model.load_state_dict(best_state)
    _, before, after, _, _ = validate(model, val_objective, feats, val_captions, val_top, device)
    log(f"val MRR@5 of the caption's image (best): query {before:.4f}, after one AFS Rocchio step {after:.4f}")
    export(model, meta, {"width": width, "heads": heads, "topK": k, "tau": args.tau, "objective": args.objective,
                         "valLoss": round(best, 5), "steps": step + 1}, args.out, log)
    log(f"done in {time.time() - started:.0f} s")
    log_file.close()
    os.replace(log_path + ".tmp", log_path)


if __name__ == "__main__":
    main()
