/** Goals on PostgreSQL, a port of `sqlite-goals.ts`. */
import type pg from 'pg'
import { inTransaction } from './postgres-pool.ts'
import { eventFromRow } from './derived-rows.ts'
import { insertEvents } from './postgres-derivation.ts'
import { goalDefinition, goalOf } from './goal-rows.ts'
import type { DerivationWrite } from './types.ts'
import { StaleGoalsError, type Goal, type GoalBook, type GoalHit, type GoalScan, type GoalStore, type ScannedEvent } from './goal-types.ts'

/**
 * @example
 * const goals = new PostgresGoals(pool)
 * const version = await goals.putGoal('shop', signup)
 */
export class PostgresGoals implements GoalStore {
  constructor(private readonly pool: pg.Pool) {}

  async goals(site: string): Promise<Goal[]> {
    const r = await this.pool.query('SELECT name, definition FROM goals WHERE site = $1 ORDER BY name', [site])
    return r.rows.map((x) => goalOf(x.name, x.definition))
  }

  async goalBook(): Promise<GoalBook> {
    // One statement, so the goals and the version come from one snapshot.
    const r = await this.pool.query(`SELECT v.version, g.site, g.name, g.definition FROM goal_version v
      LEFT JOIN goals g ON true ORDER BY g.site, g.name`)
    const bySite = new Map<string, Goal[]>()
    for (const x of r.rows) {
      if (x.site === null) continue
      let list = bySite.get(x.site)
      if (!list) bySite.set(x.site, (list = []))
      list.push(goalOf(x.name, x.definition))
    }
    return { version: Number(r.rows[0].version), bySite }
  }

  async putGoal(site: string, goal: Goal): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      await c.query(`INSERT INTO goals (site, name, definition) VALUES ($1, $2, $3::jsonb)
        ON CONFLICT (site, name) DO UPDATE SET definition = excluded.definition`, [site, goal.name, goalDefinition(goal)])
      await drop(c, site, goal.name)
      return bump(c)
    })
  }

  async deleteGoal(site: string, name: string): Promise<number | null> {
    return inTransaction(this.pool, async (c) => {
      if (((await c.query('DELETE FROM goals WHERE site = $1 AND name = $2', [site, name])).rowCount ?? 0) === 0) return null
      await drop(c, site, name)
      return bump(c)
    })
  }

  async scanForGoal(site: string, scan: GoalScan, afterRef: number, limit: number): Promise<ScannedEvent[]> {
    const r = await this.pool.query(`SELECT * FROM events WHERE site = $1 AND seq > $2 AND NOT bot AND origin <> 'goal'
      AND (($3 AND type = 'pageview') OR (type = 'event' AND name = ANY($4::text[]))) ORDER BY seq LIMIT $5`,
    [site, afterRef, scan.pageviews, scan.eventNames, limit])
    return r.rows.map((x) => ({ ref: Number(x.seq), sessionId: x.session_id as string | null, event: eventFromRow(x) }))
  }

  async claimGoalHits(hits: GoalHit[], version: number): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const n = await claimGoalHitsIn(c, hits)
      await checkGoalsVersion(c, version)
      return n
    })
  }
}

/**
 * Inside a transaction: claims each hit's (site, goal, key) and stores the conversions of
 * the claims won. Answers how many.
 */
export async function claimGoalHitsIn(c: pg.PoolClient, hits: GoalHit[]): Promise<number> {
  if (hits.length === 0) return 0
  const won = await c.query<{ site: string; goal: string; key: string }>(`INSERT INTO goal_hits (site, goal, key)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING RETURNING site, goal, key`,
  [hits.map((h) => h.site), hits.map((h) => h.goal), hits.map((h) => h.key)])
  const keys = new Set(won.rows.map((r) => `${r.site}\0${r.goal}\0${r.key}`))
  const rows = hits.filter((h) => keys.has(`${h.site}\0${h.goal}\0${h.key}`))
  await insertEvents(c, rows.map((h) => ({ site: h.site, event: h.conversion, sessionId: h.sessionId })))
  return rows.length
}

/** Inside a transaction: moves the claims of re-derived goal conversions (see `DerivationWrite.goalMoves`). */
export async function moveGoalHitsIn(c: pg.PoolClient, moves: NonNullable<DerivationWrite['goalMoves']>): Promise<void> {
  const unclaim = (ms: typeof moves) => c.query(`DELETE FROM goal_hits h USING unnest($1::text[], $2::text[], $3::text[]) AS u(site, goal, key)
    WHERE h.site = u.site AND h.goal = u.goal AND h.key = u.key`, [ms.map((m) => m.site), ms.map((m) => m.goal), ms.map((m) => m.from)])
  const drops = moves.filter((m) => m.drop)
  const keeps = moves.filter((m) => !m.drop)
  if (drops.length) {
    await unclaim(drops)
    await c.query('DELETE FROM events WHERE seq = ANY($1::bigint[])', [drops.map((m) => m.ref)])
  }
  if (keeps.length) {
    await unclaim(keeps)
    await c.query(`INSERT INTO goal_hits (site, goal, key) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
      [keeps.map((m) => m.site), keeps.map((m) => m.goal), keeps.map((m) => m.to)])
  }
}

/**
 * Inside a transaction: throws when the goals moved on from `version`. The row is locked
 * for share, so a goal change waits for this transaction (and then its backfill sees what
 * this one wrote) or, committed first, is seen here.
 */
export async function checkGoalsVersion(c: pg.PoolClient, version: number): Promise<void> {
  const now = Number((await c.query<{ version: string }>('SELECT version FROM goal_version FOR SHARE')).rows[0].version)
  if (now !== version) throw new StaleGoalsError(version, now)
}

async function drop(c: pg.PoolClient, site: string, name: string): Promise<void> {
  await c.query("DELETE FROM events WHERE site = $1 AND type = 'conversion' AND name = $2 AND origin = 'goal'", [site, name])
  await c.query('DELETE FROM goal_hits WHERE site = $1 AND goal = $2', [site, name])
}

async function bump(c: pg.PoolClient): Promise<number> {
  return Number((await c.query<{ version: string }>('UPDATE goal_version SET version = version + 1 RETURNING version')).rows[0].version)
}
