// Loads a worker's TypeScript entry when the collector runs from source (tsx); a built
// collector points workers at its .js entry directly.
import { workerData } from 'node:worker_threads'

if (workerData.entry.endsWith('.ts')) {
  const { tsImport } = await import('tsx/esm/api')
  await tsImport(workerData.entry, import.meta.url)
} else {
  await import(workerData.entry)
}
