import { describe } from 'vitest'
import { makeTestApp, type TestApp } from './app.ts'
import { openTestPostgres, probePostgres } from './postgres.ts'
import type { Clock } from '../../collector/src/clock.ts'
import type { Config } from '../../collector/src/config.ts'
import type { Store } from '../../collector/src/store/types.ts'

const noPostgres = await probePostgres()

/**
 * Runs one suite against the real app on SQLite and on PostgreSQL (skipped, with the
 * reason printed, when no PostgreSQL answers). `open` makes a fresh app on that store.
 *
 * @example
 * eachStore('budgets', (open) => {
 *   let t: TestApp<Store>
 *   beforeAll(async () => { t = await open(new TestClock(Date.parse('2026-11-25T12:00:00Z'))) })
 *   afterAll(() => t.close())
 *   it('…', async () => { … })
 * })
 */
export function eachStore(name: string, suite: (open: (clock: Clock, config?: Partial<Config>) => Promise<TestApp<Store>>) => void): void {
  describe(`${name} (SQLite)`, () => suite((clock, config) => makeTestApp<Store>({ clock, config })))
  if (noPostgres) console.warn(`Skipping ${name} on PostgreSQL: ${noPostgres}`)
  describe.skipIf(noPostgres !== null)(`${name} (PostgreSQL)`, () => suite(async (clock, config) => {
    const pg = await openTestPostgres()
    const t = await makeTestApp<Store>({ clock, config, store: pg.store })
    // The app closes the store; the schema still has to go.
    return { ...t, close: async () => { await t.close(); await pg.drop() } }
  }))
}
