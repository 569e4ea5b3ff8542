import { describe, expect, it } from 'vitest'
import { anonymousVisitor, newSalt, saltDay } from './visitor.ts'

const SALT = 'a'.repeat(64)
const IP = '203.0.113.9'
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'

describe('anonymousVisitor', () => {
  it('is an h: prefixed 32-hex-digit hash', () => {
    expect(anonymousVisitor(SALT, 'shop', IP, UA)).toMatch(/^h:[0-9a-f]{32}$/)
  })

  it('is the same for the same salt, site, IP and user agent', () => {
    expect(anonymousVisitor(SALT, 'shop', IP, UA)).toBe(anonymousVisitor(SALT, 'shop', IP, UA))
  })

  it('changes with the salt (a new day), the site, the IP and the user agent', () => {
    const base = anonymousVisitor(SALT, 'shop', IP, UA)
    const others = [
      anonymousVisitor('b'.repeat(64), 'shop', IP, UA),
      anonymousVisitor(SALT, 'blog', IP, UA),
      anonymousVisitor(SALT, 'shop', '203.0.113.10', UA),
      anonymousVisitor(SALT, 'shop', IP, UA.replace('124.0', '125.0')),
    ]
    for (const o of others) expect(o).not.toBe(base)
    expect(new Set(others).size).toBe(others.length)
  })

  it('does not let fields run into each other', () => {
    expect(anonymousVisitor(SALT, 'shop1', '2.3.4.5', UA)).not.toBe(anonymousVisitor(SALT, 'shop', '12.3.4.5', UA))
  })

  it('never contains the IP or the user agent', () => {
    const v = anonymousVisitor(SALT, 'shop', IP, UA)
    expect(v).not.toContain(IP)
    expect(v).not.toContain('203')
    expect(v).not.toContain('Mozilla')
  })
})

describe('newSalt', () => {
  it('is 32 random bytes in hex, different every time', () => {
    const a = newSalt()
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(newSalt()).not.toBe(a)
  })
})

describe('saltDay', () => {
  it('is the UTC day, whatever the local time zone of the visitor', () => {
    // 23:30 in New York on 20 November is 04:30 UTC on the 21st.
    expect(saltDay(Date.parse('2026-11-20T23:30:00-05:00'))).toBe('2026-11-21')
    // 00:30 in Berlin on 21 November is still the 20th in UTC.
    expect(saltDay(Date.parse('2026-11-21T00:30:00+01:00'))).toBe('2026-11-20')
  })

  it('rotates exactly at 00:00 UTC', () => {
    const midnight = Date.UTC(2026, 10, 21)
    expect(saltDay(midnight - 1)).toBe('2026-11-20')
    expect(saltDay(midnight)).toBe('2026-11-21')
  })

  it('crosses month and year ends', () => {
    expect(saltDay(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe('2026-12-31')
    expect(saltDay(Date.UTC(2027, 0, 1))).toBe('2027-01-01')
  })
})
