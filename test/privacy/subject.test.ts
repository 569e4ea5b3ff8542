/**
 * Data-subject requests through HTTP, on SQLite and on PostgreSQL: export everything
 * stored for a visitor id or a user id, erase it, and leave everyone else's data alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'
import { openTestPostgres, probePostgres } from '../helpers/postgres.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import type { Store } from '../../collector/src/store/types.ts'
import { auditId } from '../../collector/src/routes/privacy.ts'
import { Deriver, planDerivation } from '../../collector/src/derive/deriver.ts'

const noPostgres = await probePostgres()
if (noPostgres) console.warn(`PostgreSQL privacy tests skipped: ${noPostgres}`)

const kinds: { name: string; open: (dir: string) => Promise<{ store: Store; drop?: () => Promise<void> }> }[] = [
  { name: 'SQLite', open: async (dir) => ({ store: new SqliteStore(`${dir}/privacy.db`) }) },
  ...(noPostgres ? [] : [{ name: 'PostgreSQL', open: async () => { const pg = await openTestPostgres(); return { store: pg.store as Store, drop: async () => { await pg.drop().catch(() => {}) } } } }]),
]

const ev = (visitorId: string, name: string, extra: Record<string, unknown> = {}) => ({
  type: 'event', name, visitorId, url: 'https://shop.example/', consent: { analytics: true, ads: true }, ...extra,
})

for (const kind of kinds) {
  describe(`data-subject requests on ${kind.name}`, () => {
    let t: TestApp<Store>
    let secret: string
    let logged: string[]
    let drop: (() => Promise<void>) | undefined

    beforeEach(async () => {
      const clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
      const { mkdtempSync } = await import('node:fs')
      const { tmpdir } = await import('node:os')
      const opened = await kind.open(mkdtempSync(`${tmpdir()}/fb-privacy-`))
      drop = opened.drop
      logged = []
      t = await makeTestApp({ clock, store: opened.store, log: (m) => logged.push(m) })
      secret = (await t.createSite('shop')).secret
      await t.createSite('blog')
      // Visitor v-anna browses, signs in as user u-anna, and buys; on a second browser
      // (v-anna-phone) she signs in too. v-bob is someone else entirely.
      const sent = await t.sendServerEvents(secret, [
        ev('v-anna', 'browse'),
        ev('v-anna', 'signin', { userId: 'u-anna' }),
        { ...ev('v-anna', 'purchase', { userId: 'u-anna', value: 20, currency: 'EUR', orderId: 'o-1', user: { email: 'Anna@Example.com' } }), type: 'conversion' },
        ev('v-anna-phone', 'signin', { userId: 'u-anna' }),
        ev('v-anna-phone', 'browse'),
        ev('v-bob', 'browse'),
        ev('v-bob', 'signin', { userId: 'u-bob' }),
      ])
      expect(sent.body.accepted).toBe(7)
      await t.settle()
    })
    afterEach(async () => {
      await t.close()
      await drop?.()
    })

    const admin = { authorization: 'Bearer test-admin-token' }
    const call = (method: string, path: string, headers: Record<string, string> = admin) => t.app.request(path, { method, headers })

    it('exports a visitor with its events and sessions, and audits without the id', async () => {
      const res = await call('GET', '/api/sites/shop/visitors/v-anna')
      expect(res.status).toBe(200)
      const body = await res.json()
      expect(body.visitors).toEqual(['v-anna'])
      expect(body.events.map((e: { name: string }) => e.name).sort()).toEqual(['browse', 'purchase', 'signin'])
      expect(body.sessions.length).toBeGreaterThan(0)
      expect(body.sessions.every((s: { visitor: string }) => s.visitor === 'v-anna')).toBe(true)
      expect(JSON.stringify(body)).not.toContain('v-bob')
      const audit = logged.filter((m) => m.startsWith('privacy:'))
      expect(audit).toEqual([expect.stringContaining(`export visitor ${auditId('v-anna')} on site shop: 3 events`)])
      expect(audit.join('\n')).not.toContain('v-anna')
    })

    it('exports a user id with every visitor it was seen with', async () => {
      const body = await (await call('GET', '/api/sites/shop/users/u-anna')).json()
      expect(body.visitors).toEqual(['v-anna', 'v-anna-phone'])
      expect(body.events).toHaveLength(5)
    })

    it('erases a user id: its events and all events and sessions of its visitors, nobody else\'s', async () => {
      const res = await call('DELETE', '/api/sites/shop/users/u-anna')
      expect(res.status).toBe(200)
      const { erased } = await res.json()
      expect(erased.events).toBe(5)
      expect(erased.sessions).toBeGreaterThanOrEqual(2)
      const after = await (await call('GET', '/api/sites/shop/users/u-anna')).json()
      expect(after.events).toEqual([])
      expect(after.sessions).toEqual([])
      const bob = await (await call('GET', '/api/sites/shop/visitors/v-bob')).json()
      expect(bob.events).toHaveLength(2)
      expect(logged.some((m) => m.includes(`erase user ${auditId('u-anna')} on site shop: 5 events`))).toBe(true)
      expect(logged.join('\n')).not.toContain('u-anna')
      // Exactly once still holds: the erased purchase's id is remembered, a retry is a duplicate.
      const retry = await t.sendServerEvents(secret, [{ ...ev('v-x', 'purchase', { value: 20, currency: 'EUR', orderId: 'o-1' }), type: 'conversion' }])
      expect(retry.body.duplicates).toBe(1)
    })

    it('exports and erases the hashed e-mail and the outbox rows of the subject\'s conversions', async () => {
      const purchase = (await (await call('GET', '/api/sites/shop/users/u-anna')).json()).events.find((e: { name: string }) => e.name === 'purchase')
      await t.store.reports.ads.enqueue('shop', 'meta', [{ id: purchase.id, name: 'purchase', ts: purchase.ts, value: 20, currency: 'EUR', orderId: 'o-1', url: null, clickIdType: 'fbclid' } as never], purchase.ts)
      const body = await (await call('GET', '/api/sites/shop/users/u-anna')).json()
      expect(body.userHashes).toHaveLength(1)
      expect(body.userHashes[0].email_sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(body.outbox.map((r: { event_id: string }) => r.event_id)).toEqual([purchase.id])
      const { erased } = await (await call('DELETE', '/api/sites/shop/users/u-anna')).json()
      expect(erased).toMatchObject({ userHashes: 1, outbox: 1 })
      const after = await (await call('GET', '/api/sites/shop/users/u-anna')).json()
      expect(after.userHashes).toEqual([])
      expect(after.outbox).toEqual([])
    })

    it('rolls back a derivation step that read an inbox row before the erasure rewrote it', async () => {
      const base = (await (await call('GET', '/api/sites/shop/visitors/v-bob')).json()).events[0]
      // The app's own derivation, polling every second, must not take the row first.
      await t.pauseDerivation()
      await t.store.insertEvents('shop', [
        { ...base, id: 'r-1', visitor: 'v-anna', userId: null, name: 'late' },
        { ...base, id: 'r-2', visitor: 'v-bob', userId: null, name: 'late' },
      ])
      // A step reads the row, then the erasure runs before the step writes.
      const stale = await planDerivation(t.store, await t.store.pendingGroups(1000))
      expect((await t.store.trust.eraseSubject('shop', { kind: 'visitor', id: 'v-anna' })).pending).toBe(1)
      await expect(t.store.applyDerivation(stale)).rejects.toThrow(/gone|derived by another process/)
      await t.settle()
      expect((await t.store.trust.exportSubject('shop', { kind: 'visitor', id: 'v-anna' })).events).toEqual([])
      expect((await t.store.trust.exportSubject('shop', { kind: 'visitor', id: 'v-bob' })).events.map((e) => e.id)).toContain('r-2')
    })

    it('does not write back a session derivation remembered from before the erasure', async () => {
      const deriver = new Deriver(t.store, { log: () => {}, cacheSessions: true })
      const base = (await (await call('GET', '/api/sites/shop/visitors/v-bob')).json()).events[0]
      const at = (ms: number) => ({ ...base, visitor: 'v-cara', userId: null, ts: base.ts + ms, received: base.received + ms })
      await t.store.insertEvents('shop', [{ ...at(60_000), id: 'c-1', name: 'first', path: '/secret-landing' }])
      await deriver.settle()
      expect((await t.store.trust.exportSubject('shop', { kind: 'visitor', id: 'v-cara' })).sessions[0].landingPath).toBe('/secret-landing')
      await t.store.trust.eraseSubject('shop', { kind: 'visitor', id: 'v-cara' })
      deriver.forget()
      // The same browser comes back a minute later: a new session, knowing nothing of the erased one.
      await t.store.insertEvents('shop', [{ ...at(120_000), id: 'c-2', name: 'again', path: '/after' }])
      await deriver.settle()
      const [session] = (await t.store.trust.exportSubject('shop', { kind: 'visitor', id: 'v-cara' })).sessions
      expect(session.landingPath).toBe('/after')
      expect(session.events).toBe(1)
      await deriver.close()
    })

    it('erases a visitor only on its own site', async () => {
      expect((await (await call('DELETE', '/api/sites/blog/visitors/v-anna')).json()).erased.events).toBe(0)
      expect((await (await call('DELETE', '/api/sites/shop/visitors/v-anna')).json()).erased).toMatchObject({ events: 3 })
      expect((await (await call('GET', '/api/sites/shop/visitors/v-anna-phone')).json()).events).toHaveLength(2)
    })

    it('is for the admin only, and 404 on an unknown site', async () => {
      expect((await call('GET', '/api/sites/shop/visitors/v-anna', {})).status).toBe(401)
      expect((await call('DELETE', '/api/sites/shop/visitors/v-anna', { authorization: `Bearer ${secret}` })).status).toBe(403)
      expect((await call('GET', '/api/sites/nope/visitors/v-anna')).status).toBe(404)
    })

    it('removes the subject\'s events from pending inbox rows, rewriting them, and erases quarantined payloads', async () => {
      // Straight into the store: acknowledged, not derived yet.
      const base = (await (await call('GET', '/api/sites/shop/visitors/v-bob')).json()).events[0]
      await t.pauseDerivation()
      await t.store.insertEvents('shop', [
        { ...base, id: 'p-1', visitor: 'v-anna', userId: null, name: 'late' },
        { ...base, id: 'p-2', visitor: 'v-bob', userId: null, name: 'late' },
        { ...base, id: 'p-3', visitor: 'v-new', userId: 'u-anna', name: 'late' },
      ])
      await t.store.quarantine([{ site: 'shop', received: base.received, origin: 'server', reason: 'invalid_field', message: 'x', payload: JSON.stringify({ visitorId: 'v-anna-phone', name: 1 }) }])
      const exported = await t.store.trust.exportSubject('shop', { kind: 'user', id: 'u-anna' })
      expect(exported.pending.map((e) => e.id).sort()).toEqual(['p-1', 'p-3'])
      expect(exported.visitors).toEqual(['v-anna', 'v-anna-phone', 'v-new'])
      expect(exported.quarantine).toHaveLength(1)
      const erased = await t.store.trust.eraseSubject('shop', { kind: 'user', id: 'u-anna' })
      expect(erased).toMatchObject({ pending: 2, quarantine: 1, events: 5 })
      // The other visitor's pending event survives and is derived as usual.
      await t.settle()
      const bob = await (await call('GET', '/api/sites/shop/visitors/v-bob')).json()
      expect(bob.events.map((e: { id: string }) => e.id)).toContain('p-2')
      expect((await t.store.trust.exportSubject('shop', { kind: 'user', id: 'u-anna' })).events).toEqual([])
    })
  })
}
