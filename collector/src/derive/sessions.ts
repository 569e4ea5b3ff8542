/**
 * Sessions as a pure function of a visitor's events in time order. Derivation calls it on
 * the tail of a visitor's history that new events can change, so the sessions come out
 * the same whatever order the events arrived in.
 */
import type { DerivedSession, SessionEntry, SessionFields } from '../model.ts'

import { campaignKey } from '../ingest/touch.ts'
import { continuesSession } from './session-rules.ts'

/** One event as sessions see it. */
export interface SessionEvent {
  id: string
  ts: number
  /** The campaign key of its touch (null: no campaign): a different one starts a session. */
  key: string | null
  pageview: boolean
  entry: SessionEntry
}

/**
 * Time order with the event id breaking ties, so equal timestamps sort the same way
 * whichever event arrived first.
 */
export function byTime(a: { ts: number; id: string }, b: { ts: number; id: string }): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** An enriched event's view for sessions. */
export function sessionEvent(e: SessionFields): SessionEvent {
  const t = e.touch
  return {
    id: e.id, ts: e.ts, key: campaignKey(t), pageview: e.type === 'pageview',
    entry: {
      source: t.source, medium: t.medium, campaign: t.campaign, term: t.term, content: t.content,
      clickIdType: t.clickIdType, referrerHost: t.referrerHost, channel: e.channel, landingPath: e.path,
      device: e.device, browser: e.browser, country: e.country, consent: e.consent, bot: e.bot,
    },
  }
}

/**
 * Splits a visitor's time-ordered events into sessions: a new one after 30 minutes without
 * events or when a different campaign arrives. `open` is the visitor's latest stored
 * session when every event is at or after its last one (the common, in-order case): the
 * first events may continue it. Answers the sessions touched (`open`, updated, first when
 * it is) and each event's session id, in input order.
 *
 * @example
 * const { sessions, ids } = sessionize('v1', events.sort(byTime))
 */
export function sessionize(visitor: string, events: readonly SessionEvent[], open: DerivedSession | null = null): { sessions: DerivedSession[]; ids: string[] } {
  const sessions: DerivedSession[] = []
  const ids: string[] = []
  let cur = open ? { ...open } : null
  if (cur) sessions.push(cur)
  for (const e of events) {
    if (cur && continuesSession(cur, e.ts, e.key)) {
      if (e.ts > cur.lastTs) cur.lastTs = e.ts
      cur.events++
      if (e.pageview) cur.pageviews++
    } else {
      cur = { ...e.entry, id: e.id, visitor, started: e.ts, lastTs: e.ts, campaignKey: e.key, events: 1, pageviews: e.pageview ? 1 : 0 }
      sessions.push(cur)
    }
    ids.push(cur.id)
  }
  return { sessions, ids }
}
