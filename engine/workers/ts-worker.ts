// Starts a worker thread on a TypeScript module. Workers do not inherit the TypeScript loader of the
// main thread (`node --import tsx`, bin/visualref.js): each registers it, then loads its module.
import { Worker } from 'node:worker_threads';

export function startTsWorker(moduleUrl: URL, workerData: unknown): Worker {
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
