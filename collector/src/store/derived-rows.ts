/**
 * Rows of the derived tables as the model's types, for both stores: their columns have
 * the same names, and the PostgreSQL pool hands bigints over as numbers.
 */
import type { DerivedSession, EnrichedEvent } from '../model.ts'
import type { DerivationWrite, StoredEvent } from './types.ts'
import type { SegmentColumn, SessionAttrs } from './report-types.ts'

/** The session columns a funnel entry and a segment read, in the order stores select them. */
export const ENTRY_COLS = ['channel', 'source', 'medium', 'campaign', 'click_id_type', 'referrer_host', 'device', 'browser', 'country',
  'landing_path'] as const satisfies readonly SegmentColumn[]

/**
 * A session's entry attributes from its `ENTRY_COLS` values starting at `at`; an empty
 * row (no session) is Direct with nothing else known.
 *
 * @example
 * entryAttrs(['Paid Search', 'google', 'cpc', null, 'gclid', null, 'mobile', null, 'DE', '/']).source // 'google'
 */
export function entryAttrs(v: readonly unknown[], at = 0): SessionAttrs {
  const col = (i: number) => (v[at + i] ?? null) as string | null
  return {
    channel: col(0) ?? 'Direct', source: col(1), medium: col(2), campaign: col(3), clickIdType: col(4), referrerHost: col(5),
    device: col(6), browser: col(7), country: col(8), landingPath: col(9),
  }
}

/**
 * A sessions row as the model's session.
 *
 * @example
 * const s = sessionFromRow(db.prepare('SELECT * FROM sessions WHERE id = ?').get(id))
 */
export function sessionFromRow(r: Record<string, unknown>): DerivedSession {
  return {
    id: r.id as string, visitor: r.visitor as string, started: Number(r.started), lastTs: Number(r.last_ts),
    campaignKey: r.campaign_key as string | null, source: r.source as string | null, medium: r.medium as string | null,
    campaign: r.campaign as string | null, term: r.term as string | null, content: r.content as string | null,
    clickIdType: r.click_id_type as string | null, referrerHost: r.referrer_host as string | null, channel: r.channel as string,
    landingPath: r.landing_path as string | null, device: r.device as string | null, browser: r.browser as string | null,
    country: r.country as string | null, consent: Number(r.consent), bot: Boolean(r.bot), events: Number(r.events),
    pageviews: Number(r.pageviews),
  }
}

/**
 * An events row as derivation re-reads it; `ref` is SQLite's rowid or PostgreSQL's seq.
 *
 * @example
 * const e = storedEventFromRow({ seq: 7, session_id: 's1', id: 'e1', ts: 0, type: 'pageview', channel: 'Direct', consent: 1, bot: false, origin: 'browser' })
 */
export function storedEventFromRow(r: Record<string, unknown>): StoredEvent {
  return {
    ref: Number(r.rowid ?? r.seq), sessionId: r.session_id as string | null, goal: r.origin === 'goal' ? r.name as string : null,
    event: {
      id: r.id as string, ts: Number(r.ts), type: r.type as StoredEvent['event']['type'],
      touch: {
        source: r.source as string | null, medium: r.medium as string | null, campaign: r.campaign as string | null,
        term: r.term as string | null, content: r.content as string | null, utmId: r.utm_id as string | null,
        clickIdType: r.click_id_type as string | null, clickId: r.click_id as string | null, referrerHost: r.referrer_host as string | null,
      },
      channel: r.channel as string, path: r.path as string | null, device: r.device as string | null,
      browser: r.browser as string | null, country: r.country as string | null, consent: Number(r.consent), bot: Boolean(r.bot),
    },
  }
}

/**
 * A full events row as the model's event (for moving it back to the inbox); props may be
 * SQLite's JSON text or PostgreSQL's parsed jsonb.
 *
 * @example
 * const e = eventFromRow(db.prepare('SELECT rowid, * FROM events LIMIT 1').get())
 */
export function eventFromRow(r: Record<string, unknown>): EnrichedEvent {
  const s = storedEventFromRow(r).event
  const str = (k: string) => (r[k] ?? null) as string | null
  const num = (k: string) => (r[k] === null || r[k] === undefined ? null : Number(r[k]))
  const props = typeof r.props === 'string' ? JSON.parse(r.props) : (r.props ?? null)
  return {
    ...s, name: r.name as string, received: Number(r.received), visitor: str('visitor'), userId: str('user_id'),
    url: str('url'), referrer: str('referrer'), title: str('title'), lang: str('lang'), screen: num('screen'),
    value: num('value'), currency: str('currency'), orderId: str('order_id'), props, origin: r.origin as EnrichedEvent['origin'],
  }
}

/**
 * The longest session per site in a derivation step (last event minus start), for the
 * `session_span` table both stores keep: segments bound their session lookups by it.
 *
 * @example
 * longestSessions({ sessions: [{ site: 'shop', session: { started: 0, lastTs: 600_000, … } }] }) // Map { 'shop' => 600000 }
 */
export function longestSessions(w: Pick<DerivationWrite, 'sessions'>): Map<string, number> {
  const out = new Map<string, number>()
  for (const { site, session } of w.sessions) out.set(site, Math.max(out.get(site) ?? 0, session.lastTs - session.started))
  return out
}
