/** The demo shop's two weeks of events on a test app: what report tests over realistic data start from. */
import { expect } from 'vitest'
import type { TestApp } from './app.ts'
import { generateSeed, SEED_ORIGIN } from '../../demo-site/seed-data.ts'
import type { Site } from '../../collector/src/model.ts'

/**
 * Makes site `demo` (EUR, Europe/Berlin), sends it the demo shop's 14 days before `now` (45
 * visitors a day) and waits for derivation. The funnel chunks are not built yet.
 *
 * @example
 * const site = await seedDemoShop(t, NOW)
 */
export async function seedDemoShop(t: TestApp, now: number): Promise<Site> {
  const { secret } = await t.createSite('demo', { origins: [SEED_ORIGIN], currency: 'EUR', timezone: 'Europe/Berlin' })
  const events = generateSeed({ now, days: 14, visitorsPerDay: 45 }).events
  for (let i = 0; i < events.length; i += 100) expect((await t.sendServerEvents(secret, events.slice(i, i + 100))).body.rejected).toEqual([])
  await t.settle()
  return (await t.store.getSite('demo'))!
}
