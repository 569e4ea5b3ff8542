import { Hono } from 'hono'
import { WIRE_TYPES, type WireEvent } from '../../../sdk/src/wire.ts'
import { readJsonBody } from '../http/body.ts'
import { apiError } from '../http/errors.ts'
import { requestCountry } from '../http/client.ts'
import { correctedTime, BROWSER_MAX_AGE_MS } from '../ingest/time.ts'
import type { Candidate } from '../ingest/ingestor.ts'
import type { IncomingEvent } from '../ingest/enrich.ts'
import { rejectReason, wireBatchSchema, wireEventSchema, zodIssues } from '../schemas/events.ts'
import { browserSite, limitClient, type IngestDeps } from './context.ts'

/** Maps a validated wire event to the collector's incoming event, correcting its time. */
export function fromWire(e: WireEvent, received: number, sentAt: number): IncomingEvent {
  return {
    id: e.i, type: WIRE_TYPES[e.y], name: e.n, ts: correctedTime(received, sentAt, e.t), url: e.u, referrer: e.r,
    title: e.h, screen: e.w, lang: e.l, visitorId: e.v, userId: e.d, props: e.p, value: e.a, currency: e.m,
    orderId: e.o, consent: e.c,
  }
}

/** Validates one wire event; exposures must name their variant. */
export function wireCandidate(raw: unknown, index: number, received: number, sentAt: number): Candidate {
  const r = wireEventSchema.safeParse(raw)
  if (!r.success) {
    const first = zodIssues(r.error)[0]
    return { index, ok: false, code: rejectReason(r.error), message: `${first.path || 'event'}: ${first.message}`, raw }
  }
  if (r.data.y === 'x' && typeof r.data.p?.variant !== 'string') {
    return { index, ok: false, code: 'missing_field', message: 'p.variant: an exposure needs its variant', raw }
  }
  return { index, ok: true, event: fromWire(r.data, received, sentAt) }
}

/**
 * `POST /collect`: a batch from the browser SDK, as `text/plain` (no CORS preflight) or
 * `application/json`. Valid events are stored even when others in the batch are not.
 */
export function collectRoutes(deps: IngestDeps): Hono {
  const app = new Hono()
  app.post('/collect', async function collect(c) {
    const ip = limitClient(c, deps)
    const body = await readJsonBody(c)
    const received = deps.clock.now()
    const batch = wireBatchSchema.safeParse(body)
    if (!batch.success) {
      const site = typeof (body as { s?: unknown })?.s === 'string' ? String((body as { s: string }).s).slice(0, 64) : null
      await deps.ingestor.quarantine(site, 'browser', received, [{ code: 'invalid_batch', message: zodIssues(batch.error)[0]?.message ?? 'invalid', raw: body }])
      throw apiError(400, 'invalid_batch', 'The batch is not a valid /collect batch', zodIssues(batch.error))
    }
    const { s, t, b, e } = batch.data
    await browserSite(c, deps, s)
    const candidates = e.map((raw, i) => wireCandidate(raw, i, received, t))
    const result = await deps.ingestor.ingest(candidates, {
      site: s, origin: 'browser', ip, userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
      country: await requestCountry(c, deps.config.trustProxy, ip), webdriver: b === 1, allowBots: deps.config.allowBots,
      maxAgeMs: BROWSER_MAX_AGE_MS,
    })
    return c.json(result)
  })
  return app
}
