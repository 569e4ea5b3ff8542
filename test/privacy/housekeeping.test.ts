/**
 * Privacy on schedule: the timer (real time) destroys salts 48 hours old by the app's
 * clock even when no event arrives, and the retention limit deletes old events, sessions
 * and quarantine rows daily while an old event's id still counts as seen.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { makeTestApp, signIn, TestClock, type TestApp } from '../helpers/app.ts'

const HOUR = 3600_000
let t: TestApp | undefined
afterEach(async () => { await t?.close(); t = undefined })

const count = (table: string) => (t!.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
async function until(what: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('salts on a timer', () => {
  it('destroys a salt once it is 48 hours old, with no traffic at all', async () => {
    const clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
    t = await makeTestApp({ clock, housekeepingMs: 30 })
    await t.store.dailySalt('2026-11-20', clock.now())
    clock.advance(47 * HOUR)
    await new Promise((r) => setTimeout(r, 150))
    expect(count('salts')).toBe(1)
    clock.advance(HOUR + 1)
    await until(() => count('salts') === 0)
  })
})

describe('dashboard sessions', () => {
  it('deletes expired sessions nobody visits again', async () => {
    const clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
    t = await makeTestApp({ clock, housekeepingMs: 30 })
    await signIn((p, i) => t!.app.request(p, i), t.adminToken)
    expect(count('dashboard_sessions')).toBe(1)
    clock.advance(8 * 24 * HOUR)
    await until(() => count('dashboard_sessions') === 0)
  })
})

describe('FUNNELBEAM_RETENTION_DAYS', () => {
  it('deletes events, sessions and quarantine rows older than the limit, and keeps exactly once', async () => {
    const clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
    const logged: string[] = []
    t = await makeTestApp({ clock, housekeepingMs: 30, config: { retentionDays: 30 }, log: (m) => logged.push(m) })
    const { secret } = await t.createSite('shop')
    const old = { type: 'event', name: 'old', visitorId: 'v1', ts: '2026-10-01T12:00:00Z', id: '0190f0f0-0000-7000-8000-000000000001' }
    const recent = { type: 'event', name: 'recent', visitorId: 'v2', ts: '2026-11-19T12:00:00Z' }
    expect((await t.sendServerEvents(secret, [old, recent])).body.accepted).toBe(2)
    await t.store.quarantine([{ site: 'shop', received: Date.parse('2026-10-01T12:00:00Z'), origin: 'server', reason: 'x', message: 'x', payload: '{}' }])
    await t.settle()
    expect(count('events')).toBe(2)
    // The first pass ran at start (nothing was old then); the next runs a day of clock time later.
    clock.advance(24 * HOUR)
    await until(() => count('events') === 1)
    expect(t.store.db.prepare('SELECT name FROM events').pluck().all()).toEqual(['recent'])
    expect(t.store.db.prepare('SELECT visitor FROM sessions').pluck().all()).toEqual(['v2'])
    expect(count('quarantine')).toBe(0)
    expect(logged.some((m) => m.startsWith('retention (30 days): deleted 1 events, 1 sessions, 1 quarantine rows'))).toBe(true)
    // The deleted event's id is still known: a retry is a duplicate, not a resurrection.
    expect((await t.sendServerEvents(secret, [old])).body.duplicates).toBe(1)
  })

  it('is off by default', async () => {
    const clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
    t = await makeTestApp({ clock, housekeepingMs: 30 })
    const { secret } = await t.createSite('shop')
    await t.sendServerEvents(secret, [{ type: 'event', name: 'old', visitorId: 'v1', ts: '2026-09-01T12:00:00Z' }])
    await t.settle()
    clock.advance(400 * 24 * HOUR)
    await new Promise((r) => setTimeout(r, 150))
    expect(count('events')).toBe(1)
  })
})

const noPostgres = await (await import('../helpers/postgres.ts')).probePostgres()
describe.skipIf(noPostgres !== null)('the same timer on PostgreSQL', () => {
  it('drops old salts and purges old rows, keeping event keys', async () => {
    const { openTestPostgres } = await import('../helpers/postgres.ts')
    const pg = await openTestPostgres()
    const clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
    const app = await makeTestApp({ clock, store: pg.store, housekeepingMs: 30, config: { retentionDays: 30 } })
    try {
      await pg.store.dailySalt('2026-11-20', clock.now())
      const { secret } = await app.createSite('shop')
      await app.sendServerEvents(secret, [
        { type: 'event', name: 'old', visitorId: 'v1', ts: '2026-10-01T12:00:00Z' },
        { type: 'event', name: 'recent', visitorId: 'v2', ts: '2026-11-19T12:00:00Z' },
      ])
      await app.settle()
      const q = async (sql: string) => (await pg.store.pool.query(sql)).rows
      clock.advance(49 * HOUR)
      const end = Date.now() + 3000
      // Each table is its own statement on PostgreSQL: wait until the last one is done.
      while ((await q('SELECT name FROM events')).length !== 1 || (await q('SELECT day FROM salts')).length !== 0 || (await q('SELECT id FROM sessions')).length !== 1) {
        if (Date.now() > end) throw new Error('timed out')
        await new Promise((r) => setTimeout(r, 30))
      }
      expect(await q('SELECT name FROM events')).toEqual([{ name: 'recent' }])
      expect(await q('SELECT visitor FROM sessions')).toEqual([{ visitor: 'v2' }])
      expect((await q('SELECT count(*)::int AS n FROM event_ids'))[0].n).toBe(2)
    } finally {
      await app.close()
      await pg.drop().catch(() => {})
    }
  })
})
