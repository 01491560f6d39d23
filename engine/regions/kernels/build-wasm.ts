// Assembles similarities.wat into similarities.wasm (committed, so that users need no toolchain):
//   npm run build:wasm
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import wabtInit from 'wabt';

export async function assembleKernel(): Promise<Buffer> {
  const wabt = await wabtInit();
  const source = new URL('./similarities.wat', import.meta.url);
  const parsed = wabt.parseWat('similarities.wat', readFileSync(source, 'utf8'), { simd: true });
  try {
    parsed.validate();
    return Buffer.from(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bytes = await assembleKernel();
  writeFileSync(new URL('./similarities.wasm', import.meta.url), bytes);
  process.stderr.write(`wrote engine/regions/kernels/similarities.wasm (${bytes.length} bytes)\n`);
}
