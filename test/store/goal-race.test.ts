/**
 * A goal defined while a derivation step is under way: the step was planned without the
 * goal and commits after the goal's backfill read the events, so without the goals'
 * version the step's pageview would never become a conversion. The store refuses the
 * stale step; planned again it makes the conversion. On SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest'
import { Deriver, planDerivation } from '../../collector/src/derive/deriver.ts'
import { backfillGoal } from '../../collector/src/derive/goals.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import type { Store } from '../../collector/src/store/types.ts'
import { openTestPostgres, probePostgres } from '../helpers/postgres.ts'
import { event } from './contract.ts'

const noPostgres = await probePostgres()
const signup = { name: 'signup', path: '/thanks', event: null, props: {}, value: null, currency: null }

async function race(store: Store): Promise<void> {
  await store.insertEvents('shop', [event({ path: '/thanks' })])
  const stale = await planDerivation(store, await store.pendingGroups(100), null, await store.goals.goalBook())
  const version = await store.goals.putGoal('shop', signup)
  expect(await backfillGoal(store.goals, 'shop', signup, version)).toBe(0) // nothing derived yet
  await expect(store.applyDerivation(stale)).rejects.toMatchObject({ name: 'StaleGoalsError' })
  expect(await new Deriver(store).step()).toBe(1)
}

async function goalRows(store: Store): Promise<number> {
  if (store instanceof SqliteStore) return store.db.prepare("SELECT count(*) FROM events WHERE origin = 'goal'").pluck().get() as number
  const pool = (store as unknown as { pool: { query(q: string): Promise<{ rows: { n: string }[] }> } }).pool
  return Number((await pool.query("SELECT count(*) AS n FROM events WHERE origin = 'goal'")).rows[0].n)
}

describe('a goal defined during a derivation step', () => {
  it('SQLite', async () => {
    const store = new SqliteStore(':memory:')
    await race(store)
    expect(await goalRows(store)).toBe(1)
    await store.close()
  })
  it.skipIf(noPostgres !== null)('PostgreSQL', async () => {
    const pg = await openTestPostgres()
    try {
      await race(pg.store)
      expect(await goalRows(pg.store)).toBe(1)
    } finally {
      await pg.store.close()
      await pg.drop()
    }
  })
})
