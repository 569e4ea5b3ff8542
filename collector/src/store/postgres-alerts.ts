/**
 * Alerts on PostgreSQL, a port of `sqlite-alerts.ts`. Several collector processes share the
 * database: a session advisory lock lets one of them evaluate and deliver at a time, and
 * `alert_clock` makes each minute evaluated once, whichever process gets there first.
 */
import type pg from 'pg'
import { inTransaction } from './postgres-pool.ts'
import type { AlertMessage, AlertRule, AlertStore, Incident, IncidentHistory } from './alert-types.ts'
import { historyOf, incidentFromRow, messageFromRow, ruleFromRow } from './alert-rows.ts'

const LOCK = `hashtextextended('funnelbeam:alerts:' || current_schema(), 0)`

/**
 * @example
 * const alerts = new PostgresAlerts(pool)
 * await alerts.exclusively(Math.floor(Date.now() / 60_000), async (evaluate) => { … })
 */
export class PostgresAlerts implements AlertStore {
  constructor(private readonly pool: pg.Pool) {}

  async rules(site: string | null): Promise<AlertRule[]> {
    const r = await this.pool.query('SELECT * FROM alert_rules WHERE $1::text IS NULL OR site = $1 ORDER BY site, id', [site])
    return r.rows.map(ruleFromRow)
  }

  async putRule(r: AlertRule): Promise<boolean> {
    const res = await this.pool.query(`INSERT INTO alert_rules (site, id, definition, created) VALUES ($1, $2, $3::jsonb, $4)
      ON CONFLICT (site, id) DO UPDATE SET definition = excluded.definition RETURNING (xmax = 0) AS inserted`,
    [r.site, r.id, JSON.stringify(r.definition), r.created])
    return Boolean(res.rows[0].inserted)
  }

  async deleteRule(site: string, id: string, now: number): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      await c.query('UPDATE alert_incidents SET resolved = $1 WHERE site = $2 AND rule = $3 AND resolved IS NULL', [now, site, id])
      return ((await c.query('DELETE FROM alert_rules WHERE site = $1 AND id = $2', [site, id])).rowCount ?? 0) > 0
    })
  }

  async openIncident(site: string, rule: string): Promise<Incident | null> {
    const r = await this.pool.query('SELECT * FROM alert_incidents WHERE site = $1 AND rule = $2 AND resolved IS NULL', [site, rule])
    return r.rows[0] ? incidentFromRow(r.rows[0]) : null
  }

  async open(i: Omit<Incident, 'id' | 'resolved'>, m: { url: string; body: (id: number) => string }): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const id = Number((await c.query('INSERT INTO alert_incidents (site, rule, type, opened, text) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [i.site, i.rule, i.type, i.opened, i.text])).rows[0].id)
      await queue(c, i.site, id, 'open', m.url, m.body(id), i.opened)
      return id
    })
  }

  async resolve(incident: number, at: number, m: { url: string; body: string }): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      const r = await c.query('UPDATE alert_incidents SET resolved = $1 WHERE id = $2 AND resolved IS NULL RETURNING site', [at, incident])
      if (r.rows[0]) await queue(c, r.rows[0].site, incident, 'resolved', m.url, m.body, at)
    })
  }

  async dueMessages(now: number, limit: number): Promise<AlertMessage[]> {
    const r = await this.pool.query("SELECT * FROM alert_messages WHERE status = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT $2", [now, limit])
    return r.rows.map(messageFromRow)
  }

  async markSent(id: number, at: number): Promise<void> {
    await this.pool.query("UPDATE alert_messages SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2", [at, id])
  }

  async markRetry(id: number, error: string, nextAt: number, final: boolean): Promise<void> {
    await this.pool.query('UPDATE alert_messages SET status = $1, attempts = attempts + 1, last_error = $2, next_at = $3 WHERE id = $4',
      [final ? 'failed' : 'pending', error, nextAt, id])
  }

  async history(site: string, limit: number): Promise<IncidentHistory[]> {
    const incidents = (await this.pool.query('SELECT * FROM alert_incidents WHERE site = $1 ORDER BY opened DESC, id DESC LIMIT $2', [site, limit])).rows
    const messages = (await this.pool.query('SELECT * FROM alert_messages WHERE incident = ANY($1::bigint[]) ORDER BY id', [incidents.map((i) => i.id)])).rows
    return historyOf(incidents, messages)
  }

  async receivedCount(site: string, start: number, end: number): Promise<number> {
    const r = await this.pool.query(`SELECT (SELECT count(*) FROM events WHERE site = $1 AND received >= $2 AND received < $3 AND origin <> 'goal')
      + (SELECT COALESCE(sum(n), 0) FROM inbox WHERE site = $1 AND received >= $2 AND received < $3) AS n`, [site, start, end])
    return Number(r.rows[0].n)
  }

  async exclusively(minute: number, work: (evaluate: boolean) => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect()
    let broken = false
    try {
      if (!(await client.query(`SELECT pg_try_advisory_lock(${LOCK}) AS got`)).rows[0].got) return false
      try {
        const claimed = await client.query('UPDATE alert_clock SET minute = $1 WHERE minute < $1', [minute])
        await work((claimed.rowCount ?? 0) > 0)
        return true
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => { broken = true })
      }
    } finally {
      // A client whose unlock failed may still hold the lock: destroy it rather than pool it.
      client.release(broken)
    }
  }
}

async function queue(c: pg.PoolClient, site: string, incident: number, state: string, url: string, body: string, at: number): Promise<void> {
  await c.query('INSERT INTO alert_messages (site, incident, state, url, body, next_at, created) VALUES ($1, $2, $3, $4, $5, $6, $6)',
    [site, incident, state, url, body, at])
}
