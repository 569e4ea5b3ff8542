/** Destinations and the conversions outbox on SQLite (see `ads-types.ts`). */
import type Database from 'better-sqlite3'
import type { AdsStore, Delivery, DeliveryStatus, Destination, OutboxItem, UserHashRow } from './ads-types.ts'
import type { ConversionClick } from './report-types.ts'

type Row = Record<string, unknown>

/**
 * @example
 * const ads = new SqliteAds(db)
 * await ads.enqueue('shop', 'meta', conversions, Date.now())
 */
export class SqliteAds implements AdsStore {
  constructor(private readonly db: Database.Database) {}

  async putUserHashes(site: string, rows: UserHashRow[]): Promise<void> {
    const stmt = this.db.prepare(`INSERT INTO user_hashes (site, event_id, email_sha256, phone_sha256, phone_digits_sha256)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
    this.db.transaction(() => { for (const r of rows) stmt.run(site, r.eventId, r.emailSha256, r.phoneSha256, r.phoneDigitsSha256) })()
  }

  async putDestination(d: Destination): Promise<void> {
    this.db.prepare(`INSERT INTO destinations (site, platform, config, secret, conversion, created) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (site, platform) DO UPDATE SET config = excluded.config, secret = excluded.secret, conversion = excluded.conversion,
        created = excluded.created`).run(d.site, d.platform, JSON.stringify(d.config), d.secret, d.conversion, d.created)
  }

  async destinations(site?: string): Promise<Destination[]> {
    const rows = (site === undefined
      ? this.db.prepare('SELECT * FROM destinations ORDER BY site, platform').all()
      : this.db.prepare('SELECT * FROM destinations WHERE site = ? ORDER BY platform').all(site)) as Row[]
    return rows.map((r) => ({
      site: r.site as string, platform: r.platform as string, config: JSON.parse(r.config as string), secret: r.secret as string,
      conversion: r.conversion as string | null, created: r.created as number,
    }))
  }

  async deleteDestination(site: string, platform: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM outbox WHERE site = ? AND platform = ?').run(site, platform)
      return this.db.prepare('DELETE FROM destinations WHERE site = ? AND platform = ?').run(site, platform).changes > 0
    })()
  }

  async enqueue(site: string, platform: string, conversions: ConversionClick[], now: number): Promise<number> {
    const stmt = this.db.prepare(`INSERT INTO outbox (site, platform, event_id, name, ts, payload, next_at, created)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
    return this.db.transaction(() => {
      let added = 0
      for (const c of conversions) added += stmt.run(site, platform, c.id, c.name, c.ts, JSON.stringify(c), now, now).changes
      return added
    })()
  }

  async claim(site: string, platform: string, now: number, leaseMs: number, limit: number): Promise<OutboxItem[]> {
    const rows = this.db.prepare(`UPDATE outbox SET next_at = ? WHERE rowid IN (
        SELECT rowid FROM outbox WHERE site = ? AND platform = ? AND status = 'pending' AND next_at <= ?
        ORDER BY ts, event_id LIMIT ?)
      RETURNING event_id, payload, attempts, ts`).all(now + leaseMs, site, platform, now, limit) as Row[]
    // RETURNING follows no ORDER BY: put the batch back in time order.
    rows.sort((a, b) => (a.ts as number) - (b.ts as number) || ((a.event_id as string) < (b.event_id as string) ? -1 : 1))
    return rows.map((r) => ({ eventId: r.event_id as string, conversion: JSON.parse(r.payload as string), attempts: r.attempts as number }))
  }

  async markSent(site: string, platform: string, eventIds: string[], now: number): Promise<void> {
    const stmt = this.db.prepare(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL
      WHERE site = ? AND platform = ? AND event_id = ?`)
    this.db.transaction(() => { for (const id of eventIds) stmt.run(now, site, platform, id) })()
  }

  async markRetry(site: string, platform: string, eventIds: string[], error: string, nextAt: number, maxAttempts: number): Promise<void> {
    const stmt = this.db.prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_at = ?,
        status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END
      WHERE site = ? AND platform = ? AND event_id = ?`)
    this.db.transaction(() => { for (const id of eventIds) stmt.run(error, nextAt, maxAttempts, site, platform, id) })()
  }

  async deliveries(site: string, platform: string, limit: number): Promise<Delivery[]> {
    return this.db.prepare(`SELECT event_id AS eventId, name, ts, status, attempts, last_error AS lastError, sent_at AS sentAt
      FROM outbox WHERE site = ? AND platform = ? ORDER BY ts DESC, event_id LIMIT ?`).all(site, platform, limit) as Delivery[]
  }

  async deliveryCounts(site: string): Promise<{ platform: string; status: DeliveryStatus; n: number }[]> {
    return this.db.prepare(`SELECT platform, status, COUNT(*) AS n FROM outbox WHERE site = ?
      GROUP BY platform, status ORDER BY platform, status`).all(site) as { platform: string; status: DeliveryStatus; n: number }[]
  }
}
