// Child process for the kill test: appends batches of deterministic regions to a store until killed.
import { RegionStore } from '../../engine/regions/region-store.ts';
import { fakeRegions } from './fake-regions.ts';

const [file, dim] = [process.argv[2], Number(process.argv[3])];
const store = RegionStore.open(file, { dim, dtype: 'fp16', label: 'test' });
let id = store.size;
process.stdout.write('ready\n');
for (;;) {
  const batch = [];
  for (let i = 0; i < 8; i++, id++) batch.push({ id, regions: fakeRegions(id, dim) });
  store.put(batch);
}
