import type { Clock } from '../clock.ts'
import type { Metrics } from '../http/metrics.ts'
import type { Store } from '../store/types.ts'
import type { EventOrigin } from '../model.ts'
import { enrich, requestFacts, type IncomingEvent, type RequestContext, type RequestFacts } from './enrich.ts'
import { timeProblem } from './time.ts'
import { saltDay } from './visitor.ts'

export interface Rejection {
  index: number
  code: string
  message: string
}

/** One event of a request: validated, or rejected with the raw input kept for quarantine. */
export type Candidate =
  | { index: number; ok: true; event: IncomingEvent }
  | { index: number; ok: false; code: string; message: string; raw: unknown }

export interface IngestResult {
  accepted: number
  duplicates: number
  rejected: Rejection[]
}

export type IngestContext = Omit<RequestContext, 'salt' | 'received'> & { maxAgeMs: number }

/**
 * The one path every door (browser batch, pixel, server API) takes into storage: time
 * checks, enrichment, exactly-once insert, quarantine of what was rejected, counters.
 *
 * @example
 * const r = await ingestor.ingest(candidates, { site: 'shop', origin: 'browser', … })
 * // { accepted: 2, duplicates: 0, rejected: [{ index: 2, code: 'too_old', message: … }] }
 */
export class Ingestor {
  private salt: { day: string; value: string } | null = null
  /** Called after a request's events were accepted (derivation starts a pass). */
  onAccepted: (() => void) | null = null

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly metrics: Metrics) {}

  async ingest(candidates: Candidate[], ctx: IngestContext): Promise<IngestResult> {
    const received = this.clock.now()
    const salt = await this.saltFor(received)
    const rejected: (Rejection & { raw: unknown })[] = []
    const events = []
    const request: RequestContext = { ...ctx, received, salt }
    let facts: RequestFacts | null = null
    for (const c of candidates) {
      if (!c.ok) { rejected.push({ index: c.index, code: c.code, message: c.message, raw: c.raw }); continue }
      const problem = timeProblem(c.event.ts, received, ctx.maxAgeMs)
      if (problem) {
        rejected.push({ index: c.index, code: problem, message: timeMessage(problem, ctx.maxAgeMs), raw: c.event })
        continue
      }
      events.push(enrich(c.event, request, (facts ??= requestFacts(request))))
    }
    await this.quarantine(ctx.site, ctx.origin, received, rejected)
    const outcomes = await this.store.insertEvents(ctx.site, events)
    const accepted = outcomes.filter((o) => o === 'accepted').length
    const duplicates = outcomes.length - accepted
    if (accepted) {
      this.metrics.inc('funnelbeam_events_accepted_total', { origin: ctx.origin }, accepted)
      this.onAccepted?.()
    }
    if (duplicates) this.metrics.inc('funnelbeam_events_duplicate_total', { origin: ctx.origin }, duplicates)
    return { accepted, duplicates, rejected: rejected.map(({ index, code, message }) => ({ index, code, message })) }
  }

  /** Quarantines input that never became an event (a whole bad batch, an unknown site). */
  async quarantine(site: string | null, origin: EventOrigin, received: number, rows: { code: string; message: string; raw: unknown }[]): Promise<void> {
    if (!rows.length) return
    for (const r of rows) this.metrics.inc('funnelbeam_events_rejected_total', { origin, reason: r.code })
    await this.store.quarantine(rows.map((r) => ({
      site, received, origin, reason: r.code, message: r.message.slice(0, 500), payload: safeJson(r.raw).slice(0, 8192),
    })))
  }

  /** The day's salt, cached per process; every process reads the same row from the store. */
  private async saltFor(now: number): Promise<string> {
    const day = saltDay(now)
    if (this.salt?.day !== day) this.salt = { day, value: await this.store.dailySalt(day, now) }
    return this.salt.value
  }
}

function timeMessage(problem: string, maxAgeMs: number): string {
  if (problem === 'too_old') return `event time is more than ${Math.round(maxAgeMs / 86_400_000)} days ago`
  if (problem === 'in_future') return 'event time is in the future'
  return 'event time is not a valid time'
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    // Only nesting deep enough to overflow the stack gets here, and String() would
    // overflow on it too (found by test/fuzz: a 5,000-deep array answered 500).
    return '"(not stored: nested too deeply to serialize)"'
  }
}
