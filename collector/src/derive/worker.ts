/**
 * The derivation thread of a collector on a SQLite file: its own connection, its own
 * core. The ingest thread only appends and pokes; this thread turns the inbox into
 * sessions and report rows.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { SqliteStore } from '../store/sqlite.ts'
import { Deriver } from './deriver.ts'

/** Events per step: one transaction holds SQLite's write lock while ingest waits for it. */
const WORKER_CHUNK_EVENTS = 1000

const { file } = workerData as { file: string }
const store = new SqliteStore(file)
const log = (msg: string, err?: unknown) => parentPort!.postMessage({ log: msg, error: err instanceof Error ? err.stack : String(err ?? '') })
// Passes at most every 50 ms: events gather for a step, and ingest finds the write lock
// free most of the time. Reports wait for derivation, so this is the floor of their lag.
const deriver = new Deriver(store, { log, chunkEvents: WORKER_CHUNK_EVENTS, cacheSessions: true, minIntervalMs: 50 })
deriver.poke()
const poll = setInterval(() => deriver.poke(), 1000)

parentPort!.on('message', async (m: 'poke' | 'forget' | 'close') => {
  if (m === 'poke') return deriver.poke()
  if (m === 'forget') return deriver.forget()
  clearInterval(poll)
  await deriver.close()
  await store.close()
  parentPort!.postMessage({ closed: true })
})
