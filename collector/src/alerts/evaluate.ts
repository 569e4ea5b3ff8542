/**
 * Reads the figures a rule judges, through the store's report and alert interfaces, and
 * hands them to the pure judgements in `rules.ts`.
 */
import type { Site, Store } from '../store/types.ts'
import { addDays, dayRange } from '../reports/dates.ts'
import { todayIn } from '../reports/service.ts'
import { pacing, parsePacingQuery } from '../reports/pacing-service.ts'
import type { PacingRow } from '../reports/pacing.ts'
import { HOUR_MS } from '../store/health-types.ts'
import {
  conversionsDown, cpaAboveTarget, pacingOutside, rejectedShare, trackingStopped,
  type AlertDefinition, type BudgetFigures, type Verdict,
} from './rules.ts'

const WEEK_MS = 7 * 24 * HOUR_MS

/**
 * Judges one rule of a site at `now`.
 *
 * @example
 * await judge(store, site, { type: 'rejected_share', webhook, percent: 10, minEvents: 50 }, Date.now()) // { firing: false, text: '…' }
 */
export async function judge(store: Store, site: Site, rule: AlertDefinition, now: number): Promise<Verdict> {
  switch (rule.type) {
    case 'tracking_stopped': {
      const hour = Math.floor((now - WEEK_MS) / HOUR_MS) * HOUR_MS
      const [lastReceived, lastWeekHour] = await Promise.all([
        store.reports.health.lastReceived(site.id), store.alerts.receivedCount(site.id, hour, hour + HOUR_MS),
      ])
      return trackingStopped(rule, { now, lastReceived, lastWeekHour })
    }
    case 'conversions_down': {
      // Today from the site's midnight, and the same stretch of the same weekday 1 to 4 weeks back (local midnights, so DST does not shift it).
      const today = todayIn(site, now)
      const start = dayRange(today, today, site.timezone).start
      const count = async (from: number) => {
        const a = await store.reports.activity(site.id, { start: from, end: from + (now - start) }, rule.conversion ?? null)
        return a.conversions.reduce((s, c) => s + c.n, 0)
      }
      const weeks = [1, 2, 3, 4].map((k) => { const d = addDays(today, -7 * k); return dayRange(d, d, site.timezone).start })
      const [todayN, ...past] = await Promise.all([count(start), ...weeks.map(count)])
      return conversionsDown(rule, { today: todayN, weeks: past })
    }
    case 'rejected_share': {
      const [rejected, accepted] = await Promise.all([
        store.reports.quarantineCounts(site.id, now - HOUR_MS).then((r) => Object.values(r).reduce((a, b) => a + b, 0)),
        store.alerts.receivedCount(site.id, now - HOUR_MS, now + 1),
      ])
      return rejectedShare(rule, { rejected, accepted })
    }
    case 'cpa_above_target':
    case 'pacing_outside': {
      // The month so far as the pacing report sees it (through yesterday, in the site's time zone).
      const r = await pacing(store.reports, site, parsePacingQuery(new URLSearchParams(), todayIn(site, now)))
      const rows = r.rows.map(budgetFigures)
      return rule.type === 'cpa_above_target' ? cpaAboveTarget(rule, rows) : pacingOutside(rule, rows)
    }
  }
}

function budgetFigures(r: PacingRow): BudgetFigures {
  const scope = r.channel ?? ([r.source, r.medium, r.campaign].filter((x) => x).join(' / ') || 'all')
  return { scope, currency: r.currency, cpa: r.cpa, targetCpa: r.targetCpa, pacing: r.pacing }
}
