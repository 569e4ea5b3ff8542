/** Destinations and the conversions outbox on PostgreSQL, a port of `sqlite-ads.ts`. */
import type pg from 'pg'
import type { AdsStore, Delivery, DeliveryStatus, Destination, OutboxItem, UserHashRow } from './ads-types.ts'
import type { ConversionClick } from './report-types.ts'

/**
 * @example
 * const ads = new PostgresAds(pool)
 * await ads.enqueue('shop', 'meta', conversions, Date.now())
 */
export class PostgresAds implements AdsStore {
  constructor(private readonly pool: pg.Pool) {}

  async putUserHashes(site: string, rows: UserHashRow[]): Promise<void> {
    if (rows.length === 0) return
    await this.pool.query(`INSERT INTO user_hashes (site, event_id, email_sha256, phone_sha256, phone_digits_sha256)
      SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) ON CONFLICT DO NOTHING`, [
      site, rows.map((r) => r.eventId), rows.map((r) => r.emailSha256), rows.map((r) => r.phoneSha256), rows.map((r) => r.phoneDigitsSha256),
    ])
  }

  async putDestination(d: Destination): Promise<void> {
    await this.pool.query(`INSERT INTO destinations (site, platform, config, secret, conversion, created) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (site, platform) DO UPDATE SET config = excluded.config, secret = excluded.secret, conversion = excluded.conversion,
        created = excluded.created`, [d.site, d.platform, JSON.stringify(d.config), d.secret, d.conversion, d.created])
  }

  async destinations(site?: string): Promise<Destination[]> {
    const { rows } = site === undefined
      ? await this.pool.query<Destination>('SELECT * FROM destinations ORDER BY site, platform')
      : await this.pool.query<Destination>('SELECT * FROM destinations WHERE site = $1 ORDER BY platform', [site])
    return rows.map((r) => ({ site: r.site, platform: r.platform, config: r.config, secret: r.secret, conversion: r.conversion, created: r.created }))
  }

  async deleteDestination(site: string, platform: string): Promise<boolean> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      await client.query('DELETE FROM outbox WHERE site = $1 AND platform = $2', [site, platform])
      const r = await client.query('DELETE FROM destinations WHERE site = $1 AND platform = $2', [site, platform])
      await client.query('COMMIT')
      return (r.rowCount ?? 0) > 0
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }

  async enqueue(site: string, platform: string, conversions: ConversionClick[], now: number): Promise<number> {
    if (conversions.length === 0) return 0
    const r = await this.pool.query(`INSERT INTO outbox (site, platform, event_id, name, ts, payload, next_at, created)
      SELECT $1, $2, id, name, ts, payload, $6, $6 FROM unnest($3::text[], $4::text[], $5::bigint[], $7::jsonb[]) AS u(id, name, ts, payload)
      ON CONFLICT DO NOTHING`, [
      site, platform, conversions.map((c) => c.id), conversions.map((c) => c.name), conversions.map((c) => c.ts), now,
      conversions.map((c) => JSON.stringify(c)),
    ])
    return r.rowCount ?? 0
  }

  async claim(site: string, platform: string, now: number, leaseMs: number, limit: number): Promise<OutboxItem[]> {
    // SKIP LOCKED: processes claiming at the same moment take different rows.
    const { rows } = await this.pool.query(`UPDATE outbox o SET next_at = $4 FROM (
        SELECT site, platform, event_id FROM outbox WHERE site = $1 AND platform = $2 AND status = 'pending' AND next_at <= $3
        ORDER BY ts, event_id LIMIT $5 FOR UPDATE SKIP LOCKED) d
      WHERE o.site = d.site AND o.platform = d.platform AND o.event_id = d.event_id
      RETURNING o.event_id, o.payload, o.attempts, o.ts`, [site, platform, now, now + leaseMs, limit])
    rows.sort((a, b) => a.ts - b.ts || (a.event_id < b.event_id ? -1 : 1))
    return rows.map((r) => ({ eventId: r.event_id, conversion: r.payload, attempts: r.attempts }))
  }

  async markSent(site: string, platform: string, eventIds: string[], now: number): Promise<void> {
    await this.pool.query(`UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL
      WHERE site = $2 AND platform = $3 AND event_id = ANY($4::text[])`, [now, site, platform, eventIds])
  }

  async markRetry(site: string, platform: string, eventIds: string[], error: string, nextAt: number, maxAttempts: number): Promise<void> {
    await this.pool.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_at = $2,
        status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END
      WHERE site = $4 AND platform = $5 AND event_id = ANY($6::text[])`, [error, nextAt, maxAttempts, site, platform, eventIds])
  }

  async deliveries(site: string, platform: string, limit: number): Promise<Delivery[]> {
    return (await this.pool.query<Delivery>(`SELECT event_id AS "eventId", name, ts, status, attempts, last_error AS "lastError", sent_at AS "sentAt"
      FROM outbox WHERE site = $1 AND platform = $2 ORDER BY ts DESC, event_id LIMIT $3`, [site, platform, limit])).rows
  }

  async deliveryCounts(site: string): Promise<{ platform: string; status: DeliveryStatus; n: number }[]> {
    return (await this.pool.query(`SELECT platform, status, COUNT(*)::int AS n FROM outbox WHERE site = $1
      GROUP BY platform, status ORDER BY platform, status`, [site])).rows
  }
}
