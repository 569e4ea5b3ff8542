/**
 * A pool of report workers over one SQLite file (or PostgreSQL database, where the maths
 * over streamed rows would otherwise run on the ingest thread). Each task goes to the worker with the
 * fewest tasks in flight; a dashboard page is split into lanes loaded side by side, lane i
 * always on worker i (`dashboard/lanes.ts`). On a SQLite file, a funnel asked while every
 * worker is idle is split by visitor over all of them, each counting its share
 * (`reports/funnel-shares.ts`): most of a funnel's time goes on its visitors one by one,
 * and two workers answered the 3-step funnels at 10M events (ordered, strict, by session)
 * in about two thirds of the time one took; breakdowns by entry gained less. Data-driven
 * attribution is split the same way (`reports/data-driven-shares.ts`). The workers of
 * a SQLite pool share the chunks they read (`chunk-peers.ts`): one copy per process. A
 * worker that dies is replaced and its tasks fail (the caller gets a 500, the next report
 * a fresh worker).
 */
import { randomUUID } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { fromWireError, type ReportRunner, type RunnerOptions, type WireError } from './runner.ts'
import type { Peers, ReaderTarget, WorkerRequest } from './worker.ts'
import type { DashboardRequest } from './tasks.ts'
import { dashboardLanes, mergeDashboard } from '../dashboard/lanes.ts'
import { asksForSegment } from '../reports/segment.ts'
import type { DashboardData } from '../dashboard/page.tsx'
import { countOfShares, funnelReport, type FunnelShare } from '../reports/funnel-shares.ts'
import type { AttributionQuery, FunnelQuery } from '../reports/types.ts'
import { dataDrivenOfShares, dataDrivenReport, type DataDrivenShare } from '../reports/data-driven-shares.ts'

export type { ReaderTarget } from './worker.ts'

export interface PoolOptions extends RunnerOptions {
  /** A funnel's shares go by blocks of 2^shareBits visitor numbers (`VisitorShare`); tests make them small. Default 16. */
  shareBits?: number
  /** Whether the workers of a SQLite pool share the chunks they read (`chunk-peers.ts`). Default true. */
  shareChunks?: boolean
  /** Whether the workers keep their report memory for good (`keepReportMemory`; a server that warms them on start). Default false. */
  keepMemory?: boolean
}

interface Slot {
  worker: Worker
  inFlight: Map<number, { resolve: (v: never) => void; reject: (e: unknown) => void }>
}

const entry = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href
const boot = new URL('../worker-boot.mjs', import.meta.url)

/**
 * Starts `size` report workers reading the SQLite file or PostgreSQL database.
 *
 * @example
 * const runner = workerRunner({ kind: 'sqlite', file: './data/funnelbeam.db' }, 2, { beforeRead: () => deriver.settle() })
 * const funnel = await runner.run('funnel', site, q)
 */
export function workerRunner(target: ReaderTarget, size: number, opts: PoolOptions = {}): ReportRunner {
  const log = opts.log ?? ((m, e) => console.error(m, e))
  let nextId = 1
  let closed = false
  const slots: Slot[] = []
  // A channel of this pool's own: two pools over one file (tests, the bench) keep theirs apart.
  const peers: Peers | null = target.kind === 'sqlite' && size > 1 && opts.shareChunks !== false ? { channel: `funnelbeam-chunks:${randomUUID()}`, workers: size } : null

  const start = (i: number) => {
    const worker = new Worker(boot, { workerData: { entry, target, peers, keepMemory: opts.keepMemory === true } })
    const slot: Slot = { worker, inFlight: new Map() }
    worker.on('message', (m: { id?: number; value?: unknown; error?: WireError; log?: string }) => {
      if (m.log !== undefined) return log(m.log, m.error)
      if (m.id === undefined) return
      const p = slot.inFlight.get(m.id)
      if (!p) return
      slot.inFlight.delete(m.id)
      if (slot.inFlight.size === 0) slot.worker.unref()
      if (m.error) p.reject(fromWireError(m.error))
      else p.resolve(m.value as never)
    })
    const fail = (err: unknown) => {
      for (const p of slot.inFlight.values()) p.reject(err)
      slot.inFlight.clear()
      if (!closed && slots[i] === slot) {
        log('report worker stopped; starting another', err)
        start(i)
      }
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`report worker exited with code ${code}`)))
    // An idle worker never keeps the process alive; one with a task in flight does (`post`), so a script awaiting a report is not cut short.
    worker.unref()
    slots[i] = slot
  }
  for (let i = 0; i < Math.max(1, size); i++) start(i)

  const post = (slot: Slot, task: WorkerRequest['task'], args: unknown[]) => {
    const id = nextId++
    return new Promise<never>((resolve, reject) => {
      slot.inFlight.set(id, { resolve, reject })
      slot.worker.ref()
      slot.worker.postMessage({ id, task, args } satisfies WorkerRequest)
    })
  }

  // Split only while every worker is idle: a busy one would hold its share back behind its other tasks.
  const splits = () => target.kind === 'sqlite' && slots.length > 1 && slots.every((s) => s.inFlight.size === 0)
  /**
   * Each worker's share of a report (`task` asked with the report's site and query and its
   * share of the visitors), or null where one is null: the columns cannot answer (most of the
   * range waits to be built), and one worker scans the report whole.
   */
  const shared = async <S>(task: 'funnelShare' | 'attributionShare', [site, q]: unknown[]): Promise<S[] | null> => {
    const shares = await Promise.all(slots.map((slot, part) => post(slot, task, [site, q, { part, of: slots.length, bits: opts.shareBits ?? 16 }]) as Promise<S | null>))
    return shares.every((s) => s !== null) ? (shares as S[]) : null
  }

  return {
    async run(task, ...args) {
      if (closed) throw new Error('report runner is closed')
      await opts.beforeRead?.()
      if (task === 'dashboard' && slots.length > 1 && !(args[0] as DashboardRequest).sections) {
        const req = args[0] as DashboardRequest
        const lanes = dashboardLanes(slots.length, asksForSegment(req.params))
        const parts = await Promise.all(lanes.map((sections, i) => post(slots[i], task, [{ ...req, sections }]) as Promise<DashboardData>))
        return mergeDashboard(lanes, parts) as never
      }
      if (task === 'funnel' && splits()) {
        const q = args[1] as FunnelQuery
        const shares = await shared<FunnelShare>('funnelShare', args)
        if (shares) return funnelReport(q, countOfShares(q, shares)) as never
      }
      // Data-driven attribution the same way: each worker counts its share's paths, the pool solves the chain once.
      if (task === 'attribution' && (args[1] as AttributionQuery).model === 'data_driven' && splits()) {
        const q = args[1] as AttributionQuery
        const shares = await shared<DataDrivenShare>('attributionShare', args)
        if (shares) return dataDrivenReport(q, dataDrivenOfShares(q, shares)) as never
      }
      return post(slots.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a)), task, args)
    },
    async close() {
      closed = true
      await Promise.all(slots.map((s) => s.worker.terminate()))
    },
  }
}
