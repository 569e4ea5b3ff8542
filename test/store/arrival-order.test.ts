import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'
import type { EnrichedEvent } from '../../collector/src/model.ts'
import { event } from './contract.ts'

const T0 = Date.parse('2026-11-20T08:00:00Z')
const MIN = 60_000
const CAMPAIGNS = [
  null,
  { source: 'google', medium: 'cpc', campaign: 'brand', channel: 'Paid Search' },
  { source: 'newsletter', medium: 'email', campaign: 'nov', channel: 'Email' },
] as const

interface Spec { visitor: number; minute: number; campaign: number; pageview: boolean; path: number }

const specArb = fc.record({
  visitor: fc.integer({ min: 0, max: 2 }),
  // Minutes over six hours: gaps both under and over the 30-minute idle limit.
  minute: fc.integer({ min: 0, max: 360 }),
  campaign: fc.integer({ min: 0, max: 2 }),
  pageview: fc.boolean(),
  path: fc.integer({ min: 0, max: 3 }),
})

function toEvent(s: Spec, i: number): EnrichedEvent {
  const c = CAMPAIGNS[s.campaign]
  const base = event()
  const ts = T0 + s.minute * MIN + i // distinct times; ties are covered by the id order
  return event({
    id: `e${String(i).padStart(4, '0')}`, ts, visitor: `v${s.visitor}`, type: s.pageview ? 'pageview' : 'event',
    name: s.pageview ? 'pageview' : 'click', path: `/p${s.path}`,
    touch: c ? { ...base.touch, source: c.source, medium: c.medium, campaign: c.campaign } : base.touch,
    channel: c ? c.channel : 'Direct',
  })
}

/**
 * The definition, written out independently of derivation: a visitor's events sorted by
 * time; a new session after more than 30 minutes without events or when an event brings
 * a campaign other than the session's.
 */
function expectedSessions(events: EnrichedEvent[]): string[] {
  const out: string[] = []
  const byVisitor = new Map<string, EnrichedEvent[]>()
  for (const e of events) byVisitor.set(e.visitor!, [...(byVisitor.get(e.visitor!) ?? []), e])
  for (const [visitor, list] of [...byVisitor].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    list.sort((a, b) => a.ts - b.ts)
    let last = -Infinity
    let key: string | null = null
    type Session = { started: number; channel: string; landing: string | null; events: number }
    let cur: Session | null = null
    const sessions: Session[] = []
    for (const e of list) {
      const k = e.touch.source === null ? null : `${e.touch.source}/${e.touch.medium}/${e.touch.campaign}`
      if (!cur || e.ts - last > 30 * MIN || (k !== null && k !== key)) {
        cur = { started: e.ts, channel: e.channel, landing: e.path, events: 0 }
        key = k
        sessions.push(cur)
      }
      cur.events++
      last = e.ts
    }
    for (const s of sessions) out.push(`${visitor} ${s.started} ${s.channel} ${s.landing} ${s.events}`)
  }
  return out.sort()
}

describe('sessions do not depend on arrival order', () => {
  for (const cacheSessions of [false, true]) it(`any order, any split into batches, derived at any points, gives the sessions of the events sorted by time${cacheSessions ? ' (latest sessions cached, as the derivation thread does)' : ''}`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(specArb, { minLength: 1, maxLength: 25 }).chain((specs) => fc.tuple(
        fc.constant(specs),
        fc.shuffledSubarray(specs.map((_, i) => i), { minLength: specs.length, maxLength: specs.length }),
        // Per event: whether a batch ends after it, and whether derivation runs then.
        fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: specs.length, maxLength: specs.length }),
      )),
      async ([specs, order, cuts]) => {
        const events = specs.map(toEvent)
        const store = new SqliteStore(':memory:')
        const deriver = new Deriver(store, { log: () => {}, chunkEvents: 7, cacheSessions })
        try {
          let batch: EnrichedEvent[] = []
          for (const [k, i] of order.entries()) {
            batch.push(events[i])
            if (cuts[k][0] || k === order.length - 1) {
              expect((await store.insertEvents('shop', batch)).every((o) => o === 'accepted')).toBe(true)
              batch = []
              if (cuts[k][1]) await deriver.settle()
            }
          }
          await deriver.settle()
          const got = (store.db.prepare(`SELECT visitor, started, channel, landing_path, events FROM sessions WHERE site = 'shop'`).all() as
            { visitor: string; started: number; channel: string; landing_path: string; events: number }[])
            .map((s) => `${s.visitor} ${s.started} ${s.channel} ${s.landing_path} ${s.events}`).sort()
          expect(got).toEqual(expectedSessions(events))
          // Every event points at a session of its visitor that started at or before it.
          const orphans = store.db.prepare(`SELECT count(*) FROM events e LEFT JOIN sessions s ON s.site = e.site AND s.id = e.session_id
            WHERE s.id IS NULL OR s.visitor <> e.visitor OR s.started > e.ts`).pluck().get()
          expect(orphans).toBe(0)
        } finally {
          await store.close()
        }
      },
    ), { numRuns: 300 })
    // 300 stores made and derived: ~8 s alone, over 20 s beside the rest of the suite on two busy cores.
  }, 60_000)

  it('a batch [event 10:10, pageview 10:00 from google] makes one Paid Search session', async () => {
    const store = new SqliteStore(':memory:')
    try {
      const google = { ...event().touch, source: 'google', medium: 'cpc' }
      const at = (hm: string) => Date.parse(`2026-11-20T${hm}:00Z`)
      await store.insertEvents('shop', [
        event({ id: 'a', ts: at('10:10'), type: 'event', name: 'click' }),
        event({ id: 'b', ts: at('10:00'), touch: google, channel: 'Paid Search', path: '/landing' }),
      ])
      await new Deriver(store, { log: () => {} }).settle()
      expect(store.db.prepare('SELECT channel, landing_path AS landing, events FROM sessions').all())
        .toEqual([{ channel: 'Paid Search', landing: '/landing', events: 2 }])
    } finally {
      await store.close()
    }
  })
})
