/**
 * Loads the generated demo history into a collector app through its public HTTP API
 * (`POST /api/events` with the site secret, `PUT /api/sites/:site/spend` with the admin
 * token), so the seed exercises the same validation, dedup and sessions as real traffic.
 */
import type { Hono } from 'hono'
import { brokenTagEvents, generateSeed } from './seed-data.ts'

export interface SeedResult {
  accepted: number
  duplicates: number
  rejected: number
  spendRows: number
}

const BATCH = 100

/**
 * Seeds `site` on `app` with `days` days of history ending at `now`. Rerunning it is
 * harmless: the same event ids come back as duplicates and spend rows replace themselves.
 *
 * @example
 * const r = await seedDemo({ app, site: 'demo', secret, adminToken, now: Date.now() })
 * // { accepted: 9650, duplicates: 0, rejected: 3, spendRows: 112 }
 */
export async function seedDemo(o: {
  app: Pick<Hono, 'request'>
  site: string
  secret: string
  adminToken: string
  now: number
  days?: number
  visitorsPerDay?: number
  onProgress?: (done: number, total: number) => void
}): Promise<SeedResult> {
  const { events, spend } = generateSeed({ now: o.now, days: o.days ?? 28, visitorsPerDay: o.visitorsPerDay ?? 110 })
  const result: SeedResult = { accepted: 0, duplicates: 0, rejected: 0, spendRows: 0 }
  const batches: unknown[][] = []
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH))
  batches.push(brokenTagEvents(o.now))

  for (const [i, batch] of batches.entries()) {
    const res = await o.app.request('/api/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${o.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: batch }),
    })
    if (res.status !== 200) throw new Error(`POST /api/events answered ${res.status}: ${await res.text()}`)
    const body = await res.json() as { accepted: number; duplicates: number; rejected: unknown[] }
    result.accepted += body.accepted
    result.duplicates += body.duplicates
    result.rejected += body.rejected.length
    o.onProgress?.(i + 1, batches.length)
  }

  const res = await o.app.request(`/api/sites/${encodeURIComponent(o.site)}/spend`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${o.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(spend),
  })
  if (!res.ok) throw new Error(`PUT spend answered ${res.status}: ${await res.text()}`)
  result.spendRows = spend.length
  return result
}
