// Resizes an image (or a box of it) to a model's input size the way the model's image processor
// does: CLIP resizes the shortest edge then centre-crops, SigLIP squashes to the exact size.
// Resizing runs in sharp (libvips threads, off the JS thread), so decoding overlaps encoding.
import sharp, { type Sharp } from 'sharp';
import type { Box, PreprocessSpec, RgbImage } from '../types.ts';
import { checkNotEmpty, decodeImage, openImage, readImageSize, toRgbImage, type DecodeOptions } from './decode.ts';

export interface ResizePlan {
  /** Size to resize to before cropping. */
  width: number;
  height: number;
  /** Crop taken from the resized image. */
  left: number;
  top: number;
  cropWidth: number;
  cropHeight: number;
}

/**
 * Hugging Face's arithmetic: the long side becomes floor(resizeTo × long / short) and the crop is
 * centred with floor((resized − crop) / 2). A resized side smaller than the crop (not the case for
 * published CLIP configs) is enlarged to the crop size instead of padded.
 */
export function planResize(width: number, height: number, spec: PreprocessSpec): ResizePlan {
  if (spec.resizeMode === 'exact') {
    return { width: spec.cropWidth, height: spec.cropHeight, left: 0, top: 0, cropWidth: spec.cropWidth, cropHeight: spec.cropHeight };
  }
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const longTo = Math.max(1, Math.floor((spec.resizeTo * long) / short));
  const [w, h] = width <= height ? [spec.resizeTo, longTo] : [longTo, spec.resizeTo];
  const rw = Math.max(w, spec.cropWidth);
  const rh = Math.max(h, spec.cropHeight);
  return {
    width: rw,
    height: rh,
    left: Math.floor((rw - spec.cropWidth) / 2),
    top: Math.floor((rh - spec.cropHeight) / 2),
    cropWidth: spec.cropWidth,
    cropHeight: spec.cropHeight,
  };
}

const kernels = { bicubic: 'cubic', bilinear: 'linear', nearest: 'nearest' } as const;

function resizeAndCrop(pipeline: Sharp, plan: ResizePlan, spec: PreprocessSpec): Sharp {
  return pipeline
    .resize(plan.width, plan.height, { fit: 'fill', kernel: kernels[spec.resample] })
    .extract({ left: plan.left, top: plan.top, width: plan.cropWidth, height: plan.cropHeight });
}

/** Rounds a box to whole pixels and clips it to the image; throws when nothing is left. */
export function clampBox(box: Box, width: number, height: number): Box {
  const values = [box.x, box.y, box.w, box.h];
  if (!values.every(Number.isFinite)) throw new RangeError(`box has a non-finite value: ${JSON.stringify(box)}`);
  const x0 = Math.max(0, Math.round(box.x));
  const y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(width, Math.round(box.x + box.w));
  const y1 = Math.min(height, Math.round(box.y + box.h));
  if (x1 - x0 < 1 || y1 - y0 < 1) {
    throw new RangeError(`box ${JSON.stringify(box)} is empty or outside the ${width}x${height} image`);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export interface PrepareOptions extends DecodeOptions {
  /** The image's (EXIF-rotated) size when the caller knows it (a library record): saves reading the header. */
  size?: { width: number; height: number };
}

function isRgbImage(source: string | Buffer | RgbImage): source is RgbImage {
  return typeof source === 'object' && !Buffer.isBuffer(source);
}

function rawPipeline(image: RgbImage): Sharp {
  if (image.data.length !== image.width * image.height * 3) {
    throw new RangeError(`RgbImage data has ${image.data.length} bytes, expected ${image.width}x${image.height}x3`);
  }
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/**
 * The model-ready pixels of an image, or of a box of it. A box is in the pixels of the original
 * EXIF-rotated image and is cut from it before any resizing.
 */
export async function prepareForModel(
  source: string | Buffer | RgbImage,
  spec: PreprocessSpec,
  box?: Box,
  options: PrepareOptions = {},
): Promise<RgbImage> {
  if (isRgbImage(source)) {
    return cropResizeRaw(source, spec, box);
  }
  if (box) {
    return cropResizeRaw(await decodeImage(source, options), spec, box);
  }
  // One pipeline from the encoded file: libvips can shrink JPEGs while decoding.
  await checkNotEmpty(source);
  const size = options.size ?? (await readImageSize(source, options));
  const plan = planResize(size.width, size.height, spec);
  return toRgbImage(resizeAndCrop(openImage(source, options), plan, spec), source);
}

async function cropResizeRaw(image: RgbImage, spec: PreprocessSpec, box?: Box): Promise<RgbImage> {
  let pipeline = rawPipeline(image);
  let width = image.width;
  let height = image.height;
  if (box) {
    const b = clampBox(box, image.width, image.height);
    pipeline = pipeline.extract({ left: b.x, top: b.y, width: b.w, height: b.h });
    width = b.w;
    height = b.h;
  }
  const plan = planResize(width, height, spec);
  // An image already at the model's input size (the built-in world's scenes) needs no libvips round trip.
  if (!box && plan.width === width && plan.height === height && plan.cropWidth === width && plan.cropHeight === height) return image;
  const { data, info } = await resizeAndCrop(pipeline, plan, spec).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
