/**
 * The summary's distinct visitors over several days come from per-day counts of the visitor
 * rollups plus the partial days at either end (`distinctVisitors`). Each visitor here sits in
 * one of those parts; the counts must equal the scan's, and the visitors counted by hand.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'
import { event } from './contract.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const D0 = Date.parse('2026-11-10T00:00:00Z')

let store: SqliteStore
beforeEach(async () => {
  store = new SqliteStore(':memory:')
  await store.createSite({ id: 'shop', origins: [], secretHash: 'x', currency: 'EUR', timezone: 'UTC', created: 0 })
})
afterEach(async () => {
  await store.close()
})

const visit = (visitor: string, ts: number, extra: Parameters<typeof event>[0] = {}) =>
  event({ id: crypto.randomUUID(), visitor, ts, received: ts, path: '/', url: 'https://shop.example/', ...extra })

describe('distinct visitors over whole days and partial ones', () => {
  it('count each visitor once, whichever part of the range holds its first visit in it', async () => {
    await store.insertEvents('shop', [
      // a: earlier that first day, then on a whole day: counted through the rows whose previous row is on the first day.
      visit('a', D0 + 2 * HOUR), visit('a', D0 + DAY + 3 * HOUR),
      // b: only in the last, partial day; it converts there.
      visit('b', D0 + 2 * DAY + HOUR), visit('b', D0 + 2 * DAY + HOUR + 60_000, { type: 'conversion', name: 'purchase', path: null }),
      // c: in the first, partial day and on a whole day: once.
      visit('c', D0 + 6 * HOUR), visit('c', D0 + DAY + HOUR),
      // d: the day before, then on a whole day; it converts then.
      visit('d', D0 - DAY), visit('d', D0 + DAY + 5 * HOUR), visit('d', D0 + DAY + 5 * HOUR + 60_000, { type: 'conversion', name: 'purchase', path: null }),
      // e: only before the range; f: only after it.
      visit('e', D0 + HOUR), visit('f', D0 + 2 * DAY + 3 * HOUR),
    ])
    const d = new Deriver(store)
    while ((await d.step()) > 0);
    const range = { start: D0 + 5 * HOUR, end: D0 + 2 * DAY + 2 * HOUR }
    const rolled = await store.reports.summary('shop', range)
    expect(rolled.visitors).toBe(4)
    expect(rolled.convertingVisitors).toBe(2)
    const { revenue: _r, ...counts } = rolled
    const { revenue: _s, ...scanned } = await store.reports.scanSummary('shop', range)
    expect(counts).toEqual(scanned)
    // Whole days only, and a range inside one day: the same as the scan.
    for (const r of [{ start: D0, end: D0 + 2 * DAY }, { start: D0 + 5 * HOUR, end: D0 + 7 * HOUR }, { start: D0 - DAY, end: D0 + 3 * DAY }]) {
      const { revenue: _a, ...x } = await store.reports.summary('shop', r)
      const { revenue: _b, ...y } = await store.reports.scanSummary('shop', r)
      expect(x, JSON.stringify(r)).toEqual(y)
    }
  })
})
