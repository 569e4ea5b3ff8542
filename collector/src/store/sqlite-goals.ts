/**
 * Goals on SQLite: the definitions and their version, the backfill's scan, and the claims
 * that keep a goal to one conversion per session (see `goal-types.ts`). Derivation's own
 * claims are made inside its step's transaction through `claimIn` and `checkVersion`.
 */
import type Database from 'better-sqlite3'
import type { EnrichedEvent } from '../model.ts'
import type { DerivationWrite } from './types.ts'
import { eventFromRow } from './derived-rows.ts'
import { goalDefinition, goalOf } from './goal-rows.ts'
import { StaleGoalsError, type Goal, type GoalBook, type GoalHit, type GoalScan, type GoalStore, type ScannedEvent } from './goal-types.ts'

export class SqliteGoals implements GoalStore {
  private readonly stmt

  /** `putEvent` writes one events row as derivation does; `rollups` adds the rows it wrote to the report rollups. */
  constructor(private readonly db: Database.Database, private readonly putEvent: (site: string, e: EnrichedEvent, sessionId: string | null) => void,
    private readonly rollups: { begin(): void; flush(): void }) {
    this.stmt = {
      version: db.prepare('SELECT version FROM goal_version').pluck(),
      bump: db.prepare('UPDATE goal_version SET version = version + 1 RETURNING version').pluck(),
      claim: db.prepare('INSERT OR IGNORE INTO goal_hits (site, goal, key) VALUES (?, ?, ?)'),
      dropRows: db.prepare("DELETE FROM events WHERE site = ? AND type = 'conversion' AND name = ? AND origin = 'goal'"),
      dropHits: db.prepare('DELETE FROM goal_hits WHERE site = ? AND goal = ?'),
    }
  }

  async goals(site: string): Promise<Goal[]> {
    const rows = this.db.prepare('SELECT name, definition FROM goals WHERE site = ? ORDER BY name').all(site) as { name: string; definition: string }[]
    return rows.map((r) => goalOf(r.name, r.definition))
  }

  async goalBook(): Promise<GoalBook> {
    return this.db.transaction(() => {
      const bySite = new Map<string, Goal[]>()
      for (const r of this.db.prepare('SELECT site, name, definition FROM goals ORDER BY site, name').all() as { site: string; name: string; definition: string }[]) {
        let list = bySite.get(r.site)
        if (!list) bySite.set(r.site, (list = []))
        list.push(goalOf(r.name, r.definition))
      }
      return { version: this.stmt.version.get() as number, bySite }
    })()
  }

  async putGoal(site: string, goal: Goal): Promise<number> {
    return this.db.transaction(() => {
      this.db.prepare(`INSERT INTO goals (site, name, definition) VALUES (?, ?, ?)
        ON CONFLICT (site, name) DO UPDATE SET definition = excluded.definition`).run(site, goal.name, goalDefinition(goal))
      this.drop(site, goal.name)
      return this.stmt.bump.get() as number
    })()
  }

  async deleteGoal(site: string, name: string): Promise<number | null> {
    return this.db.transaction(() => {
      if (this.db.prepare('DELETE FROM goals WHERE site = ? AND name = ?').run(site, name).changes === 0) return null
      this.drop(site, name)
      return this.stmt.bump.get() as number
    })()
  }

  async scanForGoal(site: string, scan: GoalScan, afterRef: number, limit: number): Promise<ScannedEvent[]> {
    const rows = this.db.prepare(`SELECT rowid, * FROM events WHERE site = ? AND rowid > ? AND bot = 0 AND origin <> 'goal'
      AND ((? AND type = 'pageview') OR (type = 'event' AND name IN (SELECT value FROM json_each(?))))
      ORDER BY rowid LIMIT ?`).all(site, afterRef, scan.pageviews ? 1 : 0, JSON.stringify(scan.eventNames), limit) as Record<string, unknown>[]
    return rows.map((r) => ({ ref: Number(r.rowid), sessionId: r.session_id as string | null, event: eventFromRow(r) }))
  }

  async claimGoalHits(hits: GoalHit[], version: number): Promise<number> {
    return this.db.transaction(() => {
      this.rollups.begin()
      const n = this.claimIn(hits)
      this.rollups.flush()
      this.checkVersion(version)
      return n
    })()
  }

  /** Inside a write transaction: claims each hit and stores the conversions of the claims won. */
  claimIn(hits: GoalHit[]): number {
    let n = 0
    for (const h of hits) {
      if (this.stmt.claim.run(h.site, h.goal, h.key).changes === 0) continue
      this.putEvent(h.site, h.conversion, h.sessionId)
      n++
    }
    return n
  }

  /** Inside a write transaction: moves the claims of re-derived goal conversions (see `DerivationWrite.goalMoves`). */
  moveIn(moves: NonNullable<DerivationWrite['goalMoves']>): void {
    const unclaim = this.db.prepare('DELETE FROM goal_hits WHERE site = ? AND goal = ? AND key = ?')
    const dropRow = this.db.prepare('DELETE FROM events WHERE rowid = ?')
    // Rows inserted earlier in this transaction must be in the rollups before a delete subtracts.
    this.rollups.flush()
    for (const m of moves.filter((x) => x.drop)) {
      unclaim.run(m.site, m.goal, m.from)
      dropRow.run(m.ref)
    }
    for (const m of moves.filter((x) => !x.drop)) {
      unclaim.run(m.site, m.goal, m.from)
      this.stmt.claim.run(m.site, m.goal, m.to)
    }
  }

  /**
   * Inside a write transaction (after its first write, so it reads the newest commit):
   * throws when the goals moved on from `version`, which rolls the transaction back.
   */
  checkVersion(version: number): void {
    const now = this.stmt.version.get() as number
    if (now !== version) throw new StaleGoalsError(version, now)
  }

  /** Rebuild: goal conversions are made anew by derivation, so they go instead of back to the inbox. */
  dropAllDerived(): void {
    this.db.prepare("DELETE FROM events WHERE origin = 'goal'").run()
    this.db.prepare('DELETE FROM goal_hits').run()
  }

  private drop(site: string, name: string): void {
    this.stmt.dropRows.run(site, name)
    this.stmt.dropHits.run(site, name)
  }
}
