import { describe, expect, it } from 'vitest'
import { conversionsDown, cpaAboveTarget, pacingOutside, parseAlert, rejectedShare, trackingStopped } from './rules.ts'

const webhook = 'https://hooks.slack.com/services/T/B/x'
const now = Date.parse('2026-11-25T12:00:00Z')

describe('parseAlert', () => {
  it('fills defaults and names bad fields', () => {
    expect(parseAlert('down', { type: 'conversions_down', webhook, conversion: 'purchase' }))
      .toEqual({ type: 'conversions_down', webhook, percent: 50, minConversions: 10, conversion: 'purchase' })
    const r = parseAlert('pace', { type: 'pacing_outside', webhook, low: 1.5, high: 1.2 })
    expect(r).toMatchObject({ issues: [{ path: 'low', message: 'low: low must be below high' }] })
    expect(parseAlert('a b', { type: 'rejected_share', webhook, colour: 1 })).toMatchObject({ issues: [{ path: 'id' }, { path: 'colour' }] })
  })
})

describe('judgements', () => {
  it('tracking stopped needs both the silence and a busy hour last week', () => {
    const r = { minutes: 30, minEvents: 10 }
    expect(trackingStopped(r, { now, lastReceived: now - 29 * 60_000, lastWeekHour: 100 }).firing).toBe(false)
    expect(trackingStopped(r, { now, lastReceived: now - 30 * 60_000, lastWeekHour: 100 }).firing).toBe(true)
    expect(trackingStopped(r, { now, lastReceived: now - 90 * 60_000, lastWeekHour: 9 }).firing).toBe(false) // a quiet hour anyway
    expect(trackingStopped(r, { now, lastReceived: null, lastWeekHour: 10 }).text).toBe('tracking stopped: no events for ever (the same hour last week had 10)')
  })
  it('conversions down compares with the 4-week average, above a minimum volume', () => {
    const r = { percent: 50, minConversions: 10, conversion: 'purchase' }
    expect(conversionsDown(r, { today: 9, weeks: [20, 20, 18, 22] })).toEqual({
      firing: true, text: 'purchase conversions down 55%: 9 today so far against 20 on average by this time on the last 4 same weekdays',
    })
    expect(conversionsDown(r, { today: 10, weeks: [20, 20, 18, 22] }).firing).toBe(true) // exactly 50%
    expect(conversionsDown(r, { today: 11, weeks: [20, 20, 18, 22] }).firing).toBe(false)
    expect(conversionsDown(r, { today: 0, weeks: [9, 9, 9, 9] }).firing).toBe(false) // too few to judge
  })
  it('rejected share is above the threshold out of enough events', () => {
    expect(rejectedShare({ percent: 10, minEvents: 50 }, { rejected: 6, accepted: 44 }).firing).toBe(true)
    expect(rejectedShare({ percent: 10, minEvents: 50 }, { rejected: 5, accepted: 45 }).firing).toBe(false) // 10% is not above 10%
    expect(rejectedShare({ percent: 10, minEvents: 50 }, { rejected: 40, accepted: 0 }).firing).toBe(false)
  })
  it('CPA and pacing name the budgets out of line', () => {
    const rows = [
      { scope: 'Paid Search', currency: 'EUR', cpa: 42, targetCpa: 30, pacing: 1.35 },
      { scope: 'google / cpc / brand', currency: 'EUR', cpa: 31, targetCpa: 30, pacing: 0.9 },
      { scope: 'Email', currency: 'EUR', cpa: null, targetCpa: 5, pacing: null },
    ]
    expect(cpaAboveTarget({ tolerance: 10 }, rows).text).toBe('CPA above target: Paid Search 42.00 EUR (target 30 EUR)')
    expect(cpaAboveTarget({ tolerance: 0 }, rows).text).toMatch(/Paid Search .*; google \/ cpc \/ brand 31.00 EUR/)
    expect(pacingOutside({ low: 0.8, high: 1.2 }, rows).text).toBe('pacing outside 80%–120%: Paid Search at 135%')
    expect(pacingOutside({ low: 0.8, high: 1.4 }, rows)).toEqual({ firing: false, text: 'pacing back within 80%–140% for every budget' })
  })
})
