/**
 * Where reports run. A report over millions of events keeps a CPU busy for a while; run on
 * the thread that answers ingest it would hold every acknowledgement up, so a collector on
 * a SQLite file runs them in worker threads on read-only connections (`pool.ts`) and only
 * posts the question and reads the answer here. Both runners first let derivation catch up
 * with what was acknowledged, so a report shows the events sent before it was asked.
 */
import type { ReportStore } from '../store/report-types.ts'
import { QueryError } from '../reports/query-error.ts'
import { reportTasks, type ReportTasks, type TaskName } from './tasks.ts'

export type TaskArgs<K extends TaskName> = Parameters<ReportTasks[K]>
export type TaskResult<K extends TaskName> = Awaited<ReturnType<ReportTasks[K]>>

export interface ReportRunner {
  run<K extends TaskName>(task: K, ...args: TaskArgs<K>): Promise<TaskResult<K>>
  close(): Promise<void>
}

export interface RunnerOptions {
  now?: () => number
  log?: (msg: string, err?: unknown) => void
  /** Waits for derivation to catch up before a report reads. */
  beforeRead?: () => Promise<void>
}

/**
 * Runs reports on this thread: for PostgreSQL (the database does the heavy lifting in
 * its own processes), in-memory files and tests.
 *
 * @example
 * const runner = inProcessRunner(store.reports, { beforeRead: () => deriver.settle() })
 * const summary = await runner.run('summary', site, q)
 */
export function inProcessRunner(rs: ReportStore, opts: RunnerOptions = {}): ReportRunner {
  const tasks = reportTasks(rs, opts.now ?? Date.now, opts.log ?? ((m, e) => console.error(m, e)))
  return {
    async run(task, ...args) {
      await opts.beforeRead?.()
      return (tasks[task] as (...a: unknown[]) => Promise<never>)(...args)
    },
    async close() {},
  }
}

/** An error as it crosses from a worker: query errors keep their kind and issues. */
export interface WireError {
  name: string
  message: string
  issues?: QueryError['issues']
}

export function toWireError(err: unknown): WireError {
  if (err instanceof QueryError) return { name: err.name, message: err.message, issues: err.issues }
  const e = err instanceof Error ? err : new Error(String(err))
  return { name: e.name, message: e.message }
}

export function fromWireError(w: WireError): Error {
  if (w.name === 'QueryError') return new QueryError(w.message, w.issues ?? [])
  const e = new Error(w.message)
  e.name = w.name
  return e
}
