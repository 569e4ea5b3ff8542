/**
 * A report worker: opens the SQLite file read-only (WAL lets it read while the main
 * thread writes), or a small PostgreSQL pool of its own, and answers the tasks the pool
 * posts, at a lower CPU priority than ingest (`priority.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { SqliteReports } from '../store/sqlite-reports.ts'
import { PostgresReports } from '../store/postgres-reports.ts'
import { openPool } from '../store/postgres-pool.ts'
import type { ReportStore } from '../store/report-types.ts'
import { reportTasks, type TaskName } from './tasks.ts'
import { toWireError } from './runner.ts'
import { lowerThreadPriority } from './priority.ts'
import { chunkPeers } from './chunk-peers.ts'
import { chunkCache } from '../store/chunk-cache.ts'
import { keepReportMemory } from '../store/scratch.ts'

export interface WorkerRequest {
  id: number
  task: TaskName
  args: unknown[]
}

export type ReaderTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }

async function openReports(target: ReaderTarget, peers: Peers | null): Promise<ReportStore> {
  if (target.kind === 'postgres') return new PostgresReports(await openPool(target.url, { max: 4 }))
  const db = new Database(target.file, { readonly: true, fileMustExist: true })
  db.pragma('busy_timeout = 5000')
  if (peers !== null) chunkCache(db).sharedWith(chunkPeers(peers.channel), peers.workers)
  return new SqliteReports(db)
}

/** The channel a pool's workers share their chunks on, and how many they are. */
export interface Peers {
  channel: string
  workers: number
}

/** `peers`: null where the chunks are not shared. */
const { target, peers, keepMemory } = workerData as { target: ReaderTarget; peers: Peers | null; keepMemory: boolean }
lowerThreadPriority()
if (keepMemory) keepReportMemory(Infinity)
const log = (msg: string, err?: unknown) => parentPort!.postMessage({ log: msg, error: err instanceof Error ? err.stack : String(err ?? '') })
const tasks = reportTasks(await openReports(target, peers), Date.now, log)

parentPort!.on('message', async (m: WorkerRequest) => {
  try {
    const value = await (tasks[m.task] as (...a: unknown[]) => Promise<unknown>)(...m.args)
    parentPort!.postMessage({ id: m.id, value })
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: toWireError(err) })
  }
})
parentPort!.postMessage({ ready: true })
