#!/usr/bin/python3
"""Dynamic int8 quantisation of ONNX models (the "q8" variant, onnx/*_quantized.onnx).

    quantize_int8.py IN.onnx OUT.onnx        one graph
    quantize_int8.py --model DIR             onnx/{vision,text}_model.onnx -> *_quantized.onnx

Used by build_test_models.py for the benchmark models, and for any exported model (the built-in one).
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def to_int8(src, dst):
    """Dynamic int8 quantisation with standard ONNX ops, as onnxruntime's quantize_dynamic does for MatMul:
    weights quantised per tensor (symmetric int8); activations by DynamicQuantizeLinear at run time."""
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    nodes = []
    for node in g.node:
        w = inits.get(node.input[1]) if node.op_type == 'MatMul' and len(node.input) == 2 else None
        if w is None or len(w.dims) != 2:
            nodes.append(node)
            continue
        arr = numpy_helper.to_array(w).astype(np.float32)
        scale = max(float(np.abs(arr).max()) / 127.0, 1e-12)
        q = np.clip(np.round(arr / scale), -127, 127).astype(np.int8)
        base = node.name or node.output[0]
        qname, sname, zname = w.name + '_quantized', w.name + '_scale', w.name + '_zero_point'
        if qname not in inits:
            for t in (numpy_helper.from_array(q, qname), numpy_helper.from_array(np.array(scale, np.float32), sname),
                      numpy_helper.from_array(np.array(0, np.int8), zname)):
                g.initializer.append(t)
                inits[t.name] = t
        a = node.input[0]
        nodes += [
            helper.make_node('DynamicQuantizeLinear', [a], [f'{base}_aq', f'{base}_as', f'{base}_az']),
            helper.make_node('MatMulInteger', [f'{base}_aq', qname, f'{base}_az', zname], [f'{base}_i32']),
            helper.make_node('Cast', [f'{base}_i32'], [f'{base}_f32'], to=TensorProto.FLOAT),
            helper.make_node('Mul', [f'{base}_as', sname], [f'{base}_scale']),
            helper.make_node('Mul', [f'{base}_f32', f'{base}_scale'], [node.output[0]]),
        ]
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, dst)


def quantize_model_folder(folder):
    """Writes onnx/<part>_model_quantized.onnx beside each onnx/<part>_model.onnx of a model folder."""
    done = []
    for part in ('vision', 'text'):
        src = os.path.join(folder, 'onnx', f'{part}_model.onnx')
        if os.path.exists(src):
            dst = os.path.join(folder, 'onnx', f'{part}_model_quantized.onnx')
            tmp = dst + '.tmp'
            to_int8(src, tmp)
            os.replace(tmp, dst)
            done.append(dst)
    if not done:
        raise SystemExit(f'{folder}: no onnx/vision_model.onnx or onnx/text_model.onnx to quantise')
    return done


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('paths', nargs='*', metavar='IN OUT', help='input and output ONNX files')
    p.add_argument('--model', help='a model folder: quantise both of its graphs')
    args = p.parse_args()
    if args.model:
        if args.paths:
            p.error('give either --model DIR or IN OUT')
        for dst in quantize_model_folder(args.model):
            print(f'wrote {dst}')
        return 0
    if len(args.paths) != 2:
        p.error('give IN.onnx OUT.onnx (or --model DIR)')
    src, dst = args.paths
    if not os.path.isfile(src):
        p.error(f'{src}: no such file')
    tmp = dst + '.tmp'
    to_int8(src, tmp)
    os.replace(tmp, dst)
    print(f'wrote {dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
