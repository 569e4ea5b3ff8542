/**
 * Refusals in the dashboard's tracking-health panel. The dashboard runs in a report worker
 * thread, whose own metrics count nothing: the main thread's counters must travel with the
 * request, so this runs the dashboard in a real worker.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../collector/src/app.ts'
import { DEFAULT_CONFIG } from '../../collector/src/config.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'
import { workerRunner } from '../../collector/src/report-runner/pool.ts'
import { createSite } from '../../collector/src/routes/sites.ts'
import { signIn, TestClock } from '../helpers/app.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'
import type { ReportRunner } from '../../collector/src/report-runner/runner.ts'
import type { Hono } from 'hono'

const ORIGIN = 'https://shop.example'
let dir: string
let store: SqliteStore
let runner: ReportRunner
let app: Hono

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fb-refusals-'))
  const file = join(dir, 'funnelbeam.db')
  store = new SqliteStore(file)
  const clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
  await createSite(store, clock, { id: 'shop', origins: [ORIGIN] })
  const deriver = new Deriver(store, { log: () => {} })
  runner = workerRunner({ kind: 'sqlite', file }, 1, { log: () => {}, beforeRead: () => deriver.settle() })
  app = createApp({ store, clock, deriver, runner, log: () => {}, config: { ...DEFAULT_CONFIG, dataDir: dir, adminToken: 'admin-token' } })
})
afterAll(async () => {
  await runner.close()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('tracking health', () => {
  it('lists the refusals counted by the main thread, by reason', async () => {
    const cookie = await signIn((p, i) => app.request(p, i), 'admin-token')
    const before = await (await app.request('/dashboard/shop', { headers: { cookie } })).text()
    expect(before).toContain('Refused requests')
    expect(before).not.toContain('origin_not_allowed')
    const now = Date.parse('2026-11-20T12:00:00Z')
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/collect', { method: 'POST', body: JSON.stringify({ s: 'shop', t: now, e: [{ i: uuidv7(now), y: 'p', n: 'pageview', t: now, u: `${ORIGIN}/`, c: 0 }] }), headers: { 'content-type': 'text/plain', origin: 'https://evil.example' } })
      expect(res.status).toBe(403)
    }
    const html = await (await app.request('/dashboard/shop', { headers: { cookie } })).text()
    const table = /<table class="compact" id="refusals">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? ''
    expect(table).toMatch(/<code>origin_not_allowed<\/code><\/th><td class="num">3<\/td>/)
  })
})
