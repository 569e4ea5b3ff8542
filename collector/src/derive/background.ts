/**
 * Derivation as the rest of the collector sees it: poke it after a commit, let it catch
 * up before a report, close it on shutdown. In process (`Deriver`) or on its own thread
 * (`threadDeriver`, for a SQLite file).
 */
import { Worker } from 'node:worker_threads'
import type { DerivationStore } from '../store/types.ts'

export interface Derivation {
  /** Starts a pass soon (after an ingest commit). */
  poke(): void
  /** Waits (at most `timeoutMs`) until what was acknowledged when called is derived. */
  settle(timeoutMs?: number): Promise<void>
  /** Drops what derivation remembers between steps (each visitor's latest session): after an erasure it must not write it back. */
  forget?(): void
  close(): Promise<void>
}

/**
 * Waits until the groups pending when called are derived (by whichever thread or process
 * derives), polling the store's backlog.
 *
 * @example
 * await settleBacklog(store, 3000)
 */
export async function settleBacklog(store: Pick<DerivationStore, 'derivationBacklog'>, timeoutMs: number, poke: () => void = () => {}): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const start = await store.derivationBacklog()
  if (start.events === 0 || start.newestSeq === null) return
  const target = start.newestSeq
  for (let wait = 1; Date.now() < deadline; wait = Math.min(wait * 2, 20)) {
    poke()
    await new Promise((r) => setTimeout(r, wait))
    const b = await store.derivationBacklog()
    if (b.oldestSeq === null || b.oldestSeq > target) return
  }
}

/**
 * Runs derivation on a worker thread with its own connection to the SQLite file.
 *
 * @example
 * const derivation = threadDeriver(store, './data/funnelbeam.db', console.error)
 * ingestor.onAccepted = () => derivation.poke()
 */
export function threadDeriver(store: Pick<DerivationStore, 'derivationBacklog'>, file: string, log: (msg: string, err?: unknown) => void): Derivation {
  const entry = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href
  let worker: Worker
  let closing = false
  let poked = false
  const start = () => {
    worker = new Worker(new URL('../worker-boot.mjs', import.meta.url), { workerData: { entry, file } })
    worker.on('message', (m: { log?: string; error?: string }) => { if (m.log !== undefined) log(m.log, m.error) })
    worker.on('error', (err) => log('derivation thread failed', err))
    worker.on('exit', () => {
      // A thread that died is replaced; what it had not derived is still in the inbox.
      if (!closing) setTimeout(start, 1000).unref()
    })
    worker.unref()
  }
  start()
  return {
    poke() {
      // One message per turn of the event loop is plenty, however many requests committed.
      if (poked) return
      poked = true
      setImmediate(() => { poked = false; worker.postMessage('poke') })
    },
    settle: (timeoutMs = 3000) => settleBacklog(store, timeoutMs),
    forget: () => worker.postMessage('forget'),
    async close() {
      closing = true
      const closed = new Promise<void>((resolve) => {
        worker.on('message', (m: { closed?: boolean }) => { if (m.closed) resolve() })
        worker.once('exit', () => resolve())
      })
      worker.postMessage('close')
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))])
      await worker.terminate()
    },
  }
}
