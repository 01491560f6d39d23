// preprocessor_config.json → PreprocessSpec, for the CLIP and SigLIP flavours and missing fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { preprocessSpecFromConfig, readPreprocessSpec } from '../engine/encoders/preprocess-spec.ts';
import { repoRoot } from '../engine/config/load-config.ts';

test('the CLIP config of openai/clip-vit-base-patch32', () => {
  const spec = preprocessSpecFromConfig({
    crop_size: 224, do_center_crop: true, do_normalize: true, do_resize: true, feature_extractor_type: 'CLIPFeatureExtractor',
    image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711], resample: 3, size: 224,
  }, 'clip');
  assert.deepEqual(spec, {
    resizeMode: 'shortest_edge', resizeTo: 224, cropWidth: 224, cropHeight: 224, resample: 'bicubic', rescaleFactor: 1 / 255,
    mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711],
  });
});

test('the newer CLIP layout with size.shortest_edge and crop_size.height/width', () => {
  const spec = preprocessSpecFromConfig({ size: { shortest_edge: 336 }, crop_size: { height: 336, width: 336 }, rescale_factor: 0.00392156862745098 }, 'clip');
  assert.equal(spec.resizeMode, 'shortest_edge');
  assert.equal(spec.resizeTo, 336);
  assert.equal(spec.cropWidth, 336);
  assert.equal(spec.rescaleFactor, 0.00392156862745098);
});

test('SigLIP: squash to size.height × size.width, mean and std 0.5', () => {
  const spec = preprocessSpecFromConfig({ size: { height: 384, width: 384 }, resample: 3, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] }, 'siglip');
  assert.deepEqual(spec, {
    resizeMode: 'exact', resizeTo: 384, cropWidth: 384, cropHeight: 384, resample: 'bicubic', rescaleFactor: 1 / 255,
    mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
  });
});

test('an empty config gives each family its processor defaults', () => {
  assert.deepEqual(preprocessSpecFromConfig({}, 'clip'), {
    resizeMode: 'shortest_edge', resizeTo: 224, cropWidth: 224, cropHeight: 224, resample: 'bicubic', rescaleFactor: 1 / 255,
    mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711],
  });
  assert.deepEqual(preprocessSpecFromConfig({}, 'siglip'), {
    resizeMode: 'exact', resizeTo: 224, cropWidth: 224, cropHeight: 224, resample: 'bilinear', rescaleFactor: 1 / 255,
    mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
  });
});

test('do_normalize=false and do_rescale=false leave pixel values alone', () => {
  const spec = preprocessSpecFromConfig({ do_normalize: false, do_rescale: false }, 'clip');
  assert.deepEqual([spec.rescaleFactor, spec.mean, spec.std], [1, [0, 0, 0], [1, 1, 1]]);
});

test('bad configs are refused with the field named', () => {
  assert.throws(() => preprocessSpecFromConfig({ image_mean: [0.5, 0.5] }, 'clip', 'x.json'), /x\.json: image_mean/);
  assert.throws(() => preprocessSpecFromConfig({ resample: 1 }, 'clip'), /resample=1 is not supported/);
  assert.throws(() => preprocessSpecFromConfig({ image_std: 0 }, 'clip'), /image_std contains 0/);
  assert.throws(() => preprocessSpecFromConfig({ do_center_crop: false }, 'clip'), /no fixed input size/);
});

test('readPreprocessSpec reads the tiny models\' files', () => {
  const spec = readPreprocessSpec(join(repoRoot, 'test', 'models', 'tiny-siglip'), 'siglip');
  assert.equal(spec.resample, 'bilinear');
  assert.equal(spec.resizeMode, 'exact');
});
