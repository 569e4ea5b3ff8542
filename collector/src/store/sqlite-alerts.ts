/** Alerts on SQLite (see `alert-types.ts`). One process owns the file, so "exclusively" needs no lock. */
import type Database from 'better-sqlite3'
import type { AlertMessage, AlertRule, AlertStore, Incident, IncidentHistory } from './alert-types.ts'
import { historyOf, incidentFromRow, messageFromRow, ruleFromRow } from './alert-rows.ts'

/**
 * @example
 * const alerts = new SqliteAlerts(store.db)
 * await alerts.putRule({ site: 'shop', id: 'stopped', definition, created: Date.now() })
 */
export class SqliteAlerts implements AlertStore {
  private busy = false

  constructor(private readonly db: Database.Database) {}

  async rules(site: string | null): Promise<AlertRule[]> {
    const rows = this.db.prepare('SELECT * FROM alert_rules WHERE ? IS NULL OR site = ? ORDER BY site, id').all(site, site) as Record<string, unknown>[]
    return rows.map(ruleFromRow)
  }

  async putRule(r: AlertRule): Promise<boolean> {
    return this.db.transaction(() => {
      const had = this.db.prepare('SELECT 1 FROM alert_rules WHERE site = ? AND id = ?').get(r.site, r.id) !== undefined
      this.db.prepare(`INSERT INTO alert_rules (site, id, definition, created) VALUES (?, ?, ?, ?)
        ON CONFLICT (site, id) DO UPDATE SET definition = excluded.definition`).run(r.site, r.id, JSON.stringify(r.definition), r.created)
      return !had
    })()
  }

  async deleteRule(site: string, id: string, now: number): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE alert_incidents SET resolved = ? WHERE site = ? AND rule = ? AND resolved IS NULL').run(now, site, id)
      return this.db.prepare('DELETE FROM alert_rules WHERE site = ? AND id = ?').run(site, id).changes > 0
    })()
  }

  async openIncident(site: string, rule: string): Promise<Incident | null> {
    const r = this.db.prepare('SELECT * FROM alert_incidents WHERE site = ? AND rule = ? AND resolved IS NULL').get(site, rule) as Record<string, unknown> | undefined
    return r ? incidentFromRow(r) : null
  }

  async open(i: Omit<Incident, 'id' | 'resolved'>, m: { url: string; body: (id: number) => string }): Promise<number> {
    return this.db.transaction(() => {
      const id = Number(this.db.prepare('INSERT INTO alert_incidents (site, rule, type, opened, text) VALUES (?, ?, ?, ?, ?)')
        .run(i.site, i.rule, i.type, i.opened, i.text).lastInsertRowid)
      this.queue(i.site, id, 'open', m.url, m.body(id), i.opened)
      return id
    })()
  }

  async resolve(incident: number, at: number, m: { url: string; body: string }): Promise<void> {
    this.db.transaction(() => {
      const site = this.db.prepare('UPDATE alert_incidents SET resolved = ? WHERE id = ? AND resolved IS NULL RETURNING site').pluck().get(at, incident) as string | undefined
      if (site !== undefined) this.queue(site, incident, 'resolved', m.url, m.body, at)
    })()
  }

  async dueMessages(now: number, limit: number): Promise<AlertMessage[]> {
    const rows = this.db.prepare("SELECT * FROM alert_messages WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?").all(now, limit)
    return (rows as Record<string, unknown>[]).map(messageFromRow)
  }

  async markSent(id: number, at: number): Promise<void> {
    this.db.prepare("UPDATE alert_messages SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?").run(at, id)
  }

  async markRetry(id: number, error: string, nextAt: number, final: boolean): Promise<void> {
    this.db.prepare('UPDATE alert_messages SET status = ?, attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ?')
      .run(final ? 'failed' : 'pending', error, nextAt, id)
  }

  async history(site: string, limit: number): Promise<IncidentHistory[]> {
    const incidents = this.db.prepare('SELECT * FROM alert_incidents WHERE site = ? ORDER BY opened DESC, id DESC LIMIT ?').all(site, limit) as Record<string, unknown>[]
    const messages = this.db.prepare(`SELECT * FROM alert_messages WHERE incident IN (SELECT value FROM json_each(?)) ORDER BY id`)
      .all(JSON.stringify(incidents.map((i) => i.id))) as Record<string, unknown>[]
    return historyOf(incidents, messages)
  }

  async receivedCount(site: string, start: number, end: number): Promise<number> {
    return this.db.prepare(`SELECT (SELECT count(*) FROM events WHERE site = ? AND received >= ? AND received < ? AND origin <> 'goal')
      + (SELECT COALESCE(sum(n), 0) FROM inbox WHERE site = ? AND received >= ? AND received < ?)`).pluck()
      .get(site, start, end, site, start, end) as number
  }

  async exclusively(minute: number, work: (evaluate: boolean) => Promise<void>): Promise<boolean> {
    if (this.busy) return false
    this.busy = true
    try {
      const evaluate = this.db.prepare('UPDATE alert_clock SET minute = ? WHERE minute < ?').run(minute, minute).changes > 0
      await work(evaluate)
      return true
    } finally {
      this.busy = false
    }
  }

  private queue(site: string, incident: number, state: string, url: string, body: string, at: number): void {
    this.db.prepare('INSERT INTO alert_messages (site, incident, state, url, body, next_at, created) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(site, incident, state, url, body, at, at)
  }
}
