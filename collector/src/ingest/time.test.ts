import { describe, expect, it } from 'vitest'
import { BROWSER_MAX_AGE_MS, SERVER_MAX_AGE_MS, correctedTime, timeProblem } from './time.ts'

const DAY = 86_400_000
const RECEIVED = Date.UTC(2026, 10, 20, 12, 0, 0)

describe('correctedTime', () => {
  it('an event sent at once is stored at the receive time', () => {
    const clientNow = Date.UTC(2026, 10, 20, 11, 0, 0) // any client clock
    expect(correctedTime(RECEIVED, clientNow, clientNow)).toBe(RECEIVED)
  })

  it('an event that waited in the outbox keeps its real time', () => {
    // Created, then sent 2 hours later (e.g. after the laptop woke up).
    const created = Date.UTC(2026, 10, 20, 9, 30)
    const sent = Date.UTC(2026, 10, 20, 11, 30)
    expect(correctedTime(RECEIVED, sent, created)).toBe(Date.UTC(2026, 10, 20, 10, 0))
  })

  it('a wrong client clock cancels out', () => {
    // The same 3-second delay measured by a clock 1 hour fast and one 2 days slow.
    const fast = Date.UTC(2026, 10, 20, 13, 0, 0)
    const slow = Date.UTC(2026, 10, 18, 12, 0, 0)
    expect(correctedTime(RECEIVED, fast + 3000, fast)).toBe(RECEIVED - 3000)
    expect(correctedTime(RECEIVED, slow + 3000, slow)).toBe(RECEIVED - 3000)
  })

  it('a negative delay (event after the batch was sent) falls back to the receive time', () => {
    expect(correctedTime(RECEIVED, 1_000, 5_000)).toBe(RECEIVED)
  })
})

describe('timeProblem', () => {
  it('accepts a browser event up to exactly 7 days old, rejects one a millisecond older', () => {
    expect(timeProblem(RECEIVED - 7 * DAY, RECEIVED, BROWSER_MAX_AGE_MS)).toBeNull()
    expect(timeProblem(RECEIVED - 7 * DAY - 1, RECEIVED, BROWSER_MAX_AGE_MS)).toBe('too_old')
    expect(timeProblem(RECEIVED - 30 * DAY, RECEIVED, BROWSER_MAX_AGE_MS)).toBe('too_old')
  })

  it('accepts a server event up to 90 days old', () => {
    expect(timeProblem(RECEIVED - 30 * DAY, RECEIVED, SERVER_MAX_AGE_MS)).toBeNull()
    expect(timeProblem(RECEIVED - 90 * DAY, RECEIVED, SERVER_MAX_AGE_MS)).toBeNull()
    expect(timeProblem(RECEIVED - 90 * DAY - 1, RECEIVED, SERVER_MAX_AGE_MS)).toBe('too_old')
  })

  it('tolerates 5 minutes of clock skew into the future, not more', () => {
    expect(timeProblem(RECEIVED + 5 * 60_000, RECEIVED, SERVER_MAX_AGE_MS)).toBeNull()
    expect(timeProblem(RECEIVED + 5 * 60_000 + 1, RECEIVED, SERVER_MAX_AGE_MS)).toBe('in_future')
    expect(timeProblem(RECEIVED + DAY, RECEIVED, BROWSER_MAX_AGE_MS)).toBe('in_future')
  })

  it('rejects a time that is not a number', () => {
    expect(timeProblem(Number.NaN, RECEIVED, BROWSER_MAX_AGE_MS)).toBe('invalid_time')
    expect(timeProblem(Number.POSITIVE_INFINITY, RECEIVED, BROWSER_MAX_AGE_MS)).toBe('invalid_time')
  })
})
