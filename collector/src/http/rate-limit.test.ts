import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { RateLimiter } from './rate-limit.ts'

// A minute-aligned start time, so window boundaries are easy to work out by hand.
const BASE = 60_000 * 29_000_000

function clock(start: number) {
  const c = { t: start, now: () => c.t }
  return c
}

/** The 429 the limiter throws, or null when the hit was allowed. */
function hit(rl: RateLimiter, key: string): HTTPException | null {
  try {
    rl.hit(key)
    return null
  } catch (e) {
    if (e instanceof HTTPException) return e
    throw e
  }
}

describe('RateLimiter', () => {
  it('allows max requests per key in a window, then answers 429 with Retry-After', async () => {
    const c = clock(BASE + 10_000)
    const rl = new RateLimiter(3, 60_000, c.now)
    expect([hit(rl, 'a'), hit(rl, 'a'), hit(rl, 'a')]).toEqual([null, null, null])
    const err = hit(rl, 'a')
    expect(err?.status).toBe(429)
    const res = err!.getResponse()
    expect(res.status).toBe(429)
    // 10 s into a 60 s window: 50 s until the next one.
    expect(res.headers.get('retry-after')).toBe('50')
    expect(await res.json()).toMatchObject({ error: { code: 'rate_limited' } })
  })

  it('keeps counting per key: one noisy client does not block another', () => {
    const rl = new RateLimiter(2, 60_000, clock(BASE).now)
    hit(rl, 'noisy'); hit(rl, 'noisy')
    expect(hit(rl, 'noisy')?.status).toBe(429)
    expect(hit(rl, 'quiet')).toBeNull()
    expect(hit(rl, 'quiet')).toBeNull()
  })

  it('stays limited for the rest of the window, with Retry-After counting down to 1', () => {
    const c = clock(BASE)
    const rl = new RateLimiter(1, 60_000, c.now)
    hit(rl, 'a')
    c.t = BASE + 30_000
    expect(hit(rl, 'a')?.getResponse().headers.get('retry-after')).toBe('30')
    c.t = BASE + 59_999
    expect(hit(rl, 'a')?.getResponse().headers.get('retry-after')).toBe('1')
  })

  it('a new window resets every count', () => {
    const c = clock(BASE + 59_000)
    const rl = new RateLimiter(1, 60_000, c.now)
    expect(hit(rl, 'a')).toBeNull()
    expect(hit(rl, 'a')?.status).toBe(429)
    c.t = BASE + 60_000
    expect(hit(rl, 'a')).toBeNull()
    expect(hit(rl, 'a')?.status).toBe(429)
  })

  it('works with a clock that starts at 0', () => {
    const c = clock(0)
    const rl = new RateLimiter(1, 1000, c.now)
    expect(hit(rl, 'a')).toBeNull()
    expect(hit(rl, 'a')?.getResponse().headers.get('retry-after')).toBe('1')
    c.t = 1000
    expect(hit(rl, 'a')).toBeNull()
  })
})
