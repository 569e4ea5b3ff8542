import { describe, expect, it } from 'vitest'
import { backoff, DONE, DROP, RETRY, verdict } from './retry'

describe('verdict', () => {
  it('2xx is done, even when some events were rejected (listed in the body)', () => {
    expect(verdict(200)).toBe(DONE)
    expect(verdict(204)).toBe(DONE)
  })

  it('drops only on answers that say the events are invalid', () => {
    for (const s of [400, 413, 422]) expect(verdict(s), String(s)).toBe(DROP)
  })

  it('retries network errors, unknown sites, rate limits and server errors', () => {
    for (const s of [0, 403, 404, 408, 429, 500, 502, 503]) expect(verdict(s), String(s)).toBe(RETRY)
  })
})

describe('backoff', () => {
  it('doubles from about a second and stops growing at five minutes', () => {
    expect(backoff(0, 0)).toBe(500)
    expect(backoff(0, 1)).toBe(1000)
    expect(backoff(3, 1)).toBe(8000)
    expect(backoff(30, 1)).toBe(300_000)
    expect(backoff(5000, 1)).toBe(300_000)
  })

  it('follows Retry-After seconds, capped at an hour', () => {
    expect(backoff(0, 0.5, '7')).toBe(7000)
    expect(backoff(0, 0.5, '0')).toBe(0)
    expect(backoff(0, 0.5, '999999')).toBe(3_600_000)
    expect(backoff(1, 1, 'soon')).toBe(2000)
  })
})
