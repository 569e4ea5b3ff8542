import { describe, expect, it } from 'vitest'
import { SESSION_IDLE_MS, continuesSession, type SessionState } from './session-rules.ts'

const MIN = 60_000
const T0 = Date.UTC(2026, 10, 20, 10, 0)
const session = (over: Partial<SessionState> = {}): SessionState =>
  ({ id: 's1', started: T0, lastTs: T0 + 10 * MIN, campaignKey: null, ...over })

describe('continuesSession', () => {
  it('the idle limit is 30 minutes', () => {
    expect(SESSION_IDLE_MS).toBe(30 * MIN)
  })

  it('a first event has no session to continue', () => {
    expect(continuesSession(null, T0, null)).toBe(false)
  })

  it('continues within 30 minutes of the last event', () => {
    expect(continuesSession(session(), T0 + 11 * MIN, null)).toBe(true)
  })

  it('exactly 30 minutes idle still continues; 30 minutes and 1 ms does not', () => {
    const s = session()
    expect(continuesSession(s, s.lastTs + 30 * MIN, null)).toBe(true)
    expect(continuesSession(s, s.lastTs + 30 * MIN + 1, null)).toBe(false)
  })

  it('measures idleness from the last event, not from the session start', () => {
    // A 2-hour session with events every few minutes is still one session.
    const s = session({ lastTs: T0 + 120 * MIN })
    expect(continuesSession(s, T0 + 140 * MIN, null)).toBe(true)
  })

  it('a new campaign starts a new session even seconds later', () => {
    const s = session({ campaignKey: 'google|cpc|bf|||' })
    expect(continuesSession(s, s.lastTs + 1000, 'facebook|paid_social|bf|||')).toBe(false)
    // A session without a campaign is also ended by the first campaign click.
    expect(continuesSession(session(), T0 + 11 * MIN, 'newsletter|email|nov|||')).toBe(false)
  })

  it('the same campaign, or an event without one, continues', () => {
    const s = session({ campaignKey: 'google|cpc|bf|||' })
    expect(continuesSession(s, s.lastTs + MIN, 'google|cpc|bf|||')).toBe(true)
    expect(continuesSession(s, s.lastTs + MIN, null)).toBe(true)
  })

  it('the same campaign after 30 idle minutes is a new session', () => {
    const s = session({ campaignKey: 'google|cpc|bf|||' })
    expect(continuesSession(s, s.lastTs + 31 * MIN, 'google|cpc|bf|||')).toBe(false)
  })

  it('a late (out-of-order) event inside the session stays in it', () => {
    // The session already saw 10:00–10:40; an event from 10:05 arrives from an outbox.
    const s = session({ lastTs: T0 + 40 * MIN })
    expect(continuesSession(s, T0 + 5 * MIN, null)).toBe(true)
    expect(continuesSession(s, T0, null)).toBe(true)
  })
})
