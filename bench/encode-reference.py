#!/usr/bin/python3
"""PyTorch encode-only reference for bench/encode-gpu.ts: the same CLIP vision tower (the
architecture of training/build_test_models.py, random weights) on random pixels, in batches, timed
with the device synchronised. Prints one JSON line; when the asked device is not usable it prints
{"skipped": reason} and exits 0, so the caller can record why.

    encode-reference.py --shape b32|l14|tiny --batch 64 --dtype fp16 --device cuda
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'training'))

import torch  # noqa: E402

from build_test_models import FULL, TINY_CLIP, ClipVision  # noqa: E402

SHAPES = dict(FULL, tiny=TINY_CLIP)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--shape', choices=sorted(SHAPES), default='b32')
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--iters', type=int, default=20)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--dtype', choices=['fp16', 'fp32'], default='fp16')
    p.add_argument('--device', choices=['cuda', 'cpu'], default='cuda')
    args = p.parse_args()
    if args.batch < 1 or args.iters < 1 or args.warmup < 0:
        p.error('--batch and --iters must be at least 1, --warmup at least 0')

    result = {'shape': args.shape, 'batch': args.batch, 'dtype': args.dtype, 'device': args.device, 'torch': torch.__version__}
    if args.device == 'cuda' and not torch.cuda.is_available():
        print(json.dumps(dict(result, skipped=f'PyTorch {torch.__version__} sees no CUDA device')))
        return 0
    if args.device == 'cpu' and args.dtype == 'fp16':
        print(json.dumps(dict(result, skipped='fp16 is a GPU measurement; use --dtype fp32 on the CPU')))
        return 0

    torch.manual_seed(0)
    dtype = torch.float16 if args.dtype == 'fp16' else torch.float32
    device = torch.device(args.device)
    c = SHAPES[args.shape]
    model = ClipVision(c).eval().to(device=device, dtype=dtype)
    pixels = torch.randn(args.batch, 3, c['image'], c['image'], device=device, dtype=dtype)

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize()

    with torch.inference_mode():
        for _ in range(args.warmup):
            model(pixels)
        sync()
        start = time.perf_counter()
        for _ in range(args.iters):
            embeds, _ = model(pixels)
        sync()
        seconds = time.perf_counter() - start
    if not torch.isfinite(embeds.float()).all():
        raise SystemExit('the reference model produced non-finite embeddings')
    result.update(
        images=args.batch * args.iters,
        seconds=seconds,
        imagesPerSecond=args.batch * args.iters / seconds,
        msPerBatch=1000 * seconds / args.iters,
        gpu=torch.cuda.get_device_name(device) if device.type == 'cuda' else None,
    )
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
