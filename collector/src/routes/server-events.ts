import { Hono } from 'hono'
import { CONSENT_ADS, CONSENT_ANALYTICS } from '../../../sdk/src/wire.ts'
import { ipCountryDb } from '../geo/ip-country.ts'
import { bearerToken, hashMatches } from '../http/auth.ts'
import { readJsonBody } from '../http/body.ts'
import { noteSite } from '../http/request-log.ts'
import { apiError } from '../http/errors.ts'
import { SERVER_MAX_AGE_MS } from '../ingest/time.ts'
import type { Candidate } from '../ingest/ingestor.ts'
import { rejectReason, serverBatchSchema, serverEventSchema, zodIssues } from '../schemas/events.ts'
import { limitClient, type IngestDeps } from './context.ts'
import type { Site } from '../model.ts'
import type { UserHashRow } from '../store/ads-types.ts'
import { userHashes } from '../exports/user-hashes.ts'
import { uuidv7 } from '../ingest/uuid.ts'

/** Site secrets read `<site>.<random>`, so the secret itself names the site it unlocks. */
export function siteOfSecret(secret: string): string | null {
  const dot = secret.indexOf('.')
  return dot > 0 ? secret.slice(0, dot) : null
}

async function authorizeSite(deps: IngestDeps, header: string | undefined): Promise<Site> {
  const token = bearerToken(header)
  if (!token) throw apiError(401, 'unauthorized', 'Missing Authorization: Bearer <site secret>')
  const id = siteOfSecret(token)
  const site = id ? await deps.sites.get(id) : null
  if (!site || !hashMatches(token, site.secretHash)) throw apiError(403, 'forbidden', 'Wrong site secret')
  return site
}

/** Validates one server-side event; a missing `ts` means now. */
export function serverCandidate(raw: unknown, index: number, now: number): Candidate & { ua?: string; ip?: string; user?: UserHashRow } {
  const r = serverEventSchema.safeParse(raw)
  if (!r.success) {
    const first = zodIssues(r.error)[0]
    return { index, ok: false, code: rejectReason(r.error), message: `${first.path || 'event'}: ${first.message}`, raw }
  }
  const e = r.data
  // A backend that sends no consent object has collected consent itself (or needs none).
  const consent = (e.consent?.analytics !== false ? CONSENT_ANALYTICS : 0) | (e.consent?.ads !== false ? CONSENT_ADS : 0)
  const ts = e.ts ? Date.parse(e.ts) : now
  // Enhanced conversions: a conversion's user is hashed here and kept only with ads
  // consent; the event then needs its id now, so the hashes can name it.
  const hashed = e.user && e.type === 'conversion' && (consent & CONSENT_ADS) !== 0
  const id = hashed ? e.id ?? uuidv7(ts) : e.id
  const user = hashed && id ? { eventId: id, ...userHashes(e.user!) } : undefined
  return {
    index, ok: true, ua: e.userAgent, ip: e.ip, user,
    event: {
      id, type: e.type, name: e.name, ts, url: e.url, referrer: e.referrer,
      title: e.title, visitorId: e.visitorId, userId: e.userId, props: e.props, value: e.value, currency: e.currency,
      orderId: e.orderId, consent,
    },
  }
}

/**
 * `POST /api/events` with `Authorization: Bearer <site secret>`: server-side events and
 * offline conversions, timestamps up to 90 days back, deduplicated against browser events.
 */
export function serverEventRoutes(deps: IngestDeps): Hono {
  const app = new Hono()
  app.post('/api/events', async function serverEvents(c) {
    limitClient(c, deps)
    const site = await authorizeSite(deps, c.req.header('authorization'))
    noteSite(c, site.id)
    const body = serverBatchSchema.safeParse(await readJsonBody(c))
    if (!body.success) throw apiError(400, 'invalid_batch', 'Expected { "events": [ … ] } with 1 to 100 events', zodIssues(body.error))
    const now = deps.clock.now()
    const candidates = body.data.events.map((raw, i) => serverCandidate(raw, i, now))
    // Each event may name its own visitor's IP and user agent, so group by them.
    const groups = new Map<string, typeof candidates>()
    for (const cand of candidates) {
      const key = `${cand.ip ?? ''}\n${cand.ua ?? ''}`
      const group = groups.get(key)
      if (group) group.push(cand)
      else groups.set(key, [cand])
    }
    // A backend naming its visitor's IP gets that IP's country (the IP is not kept).
    const geo = candidates.some((cand) => cand.ip) ? await ipCountryDb() : null
    // The groups go to the store together, so group commit can put them in one transaction.
    const results = await Promise.all([...groups.values()].map((group) => deps.ingestor.ingest(group, {
      site: site.id, origin: 'server', ip: group[0].ip ?? null, userAgent: group[0].ua ?? null,
      country: group[0].ip ? geo!.country(group[0].ip) : null,
      webdriver: false, allowBots: true, maxAgeMs: SERVER_MAX_AGE_MS,
    })))
    const total = {
      accepted: results.reduce((n, r) => n + r.accepted, 0),
      duplicates: results.reduce((n, r) => n + r.duplicates, 0),
      rejected: results.flatMap((r) => r.rejected),
    }
    total.rejected.sort((a, b) => a.index - b.index)
    const refused = new Set(total.rejected.map((r) => r.index))
    const users = candidates.flatMap((cand) => (cand.ok && cand.user && !refused.has(cand.index) ? [cand.user] : []))
    if (users.length) await deps.store.reports.ads.putUserHashes(site.id, users)
    return c.json(total)
  })
  return app
}
