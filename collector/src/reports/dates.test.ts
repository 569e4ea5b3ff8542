import { describe, expect, it } from 'vitest'
import { addDays, dateIn, dayRange, isCalendarDate, startOfDay } from './dates.ts'

describe('dates in a site timezone', () => {
  it('starts days at local midnight', () => {
    expect(startOfDay('2026-01-15', 'UTC')).toBe(Date.UTC(2026, 0, 15))
    expect(startOfDay('2026-01-15', 'Europe/Berlin')).toBe(Date.UTC(2026, 0, 14, 23))
    expect(startOfDay('2026-07-15', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 14, 22))
    expect(startOfDay('2026-01-15', 'America/New_York')).toBe(Date.UTC(2026, 0, 15, 5))
  })
  it('makes the spring-forward day 23 hours long', () => {
    const r = dayRange('2026-03-29', '2026-03-29', 'Europe/Berlin')
    expect(r.end - r.start).toBe(23 * 3_600_000)
  })
  it('covers `to` inclusively', () => {
    expect(dayRange('2026-11-01', '2026-11-30', 'UTC')).toEqual({ start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 11, 1) })
  })
  it('reads the local date and does calendar arithmetic', () => {
    expect(dateIn('Europe/Berlin', Date.UTC(2026, 0, 14, 23, 30))).toBe('2026-01-15')
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01')
    expect(addDays('2026-03-01', -29)).toBe('2026-01-31')
  })
  it('rejects dates that are not on the calendar', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true)
    expect(isCalendarDate('2026-02-30')).toBe(false)
    expect(isCalendarDate('2026-2-1')).toBe(false)
  })
})
