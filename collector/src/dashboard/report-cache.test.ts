import { describe, expect, it } from 'vitest'
import { ReportCache } from './report-cache.ts'

function setup(ttl = 60_000, max = 500) {
  const clock = { t: 1_000_000 }
  const cache = new ReportCache(() => clock.t, ttl, max)
  let runs = 0
  const run = (v: string) => async () => { runs++; return v }
  return { clock, cache, run, runs: () => runs }
}

describe('ReportCache', () => {
  it('computes once per key within the TTL and says when the value was computed', async () => {
    const { clock, cache, run, runs } = setup()
    expect(await cache.get('a', run('one'))).toEqual({ value: 'one', at: 1_000_000 })
    clock.t += 59_999
    expect(await cache.get('a', run('two'))).toEqual({ value: 'one', at: 1_000_000 })
    expect(runs()).toBe(1)
  })

  it('computes again once the TTL has passed', async () => {
    const { clock, cache, run } = setup()
    await cache.get('a', run('one'))
    clock.t += 60_000
    expect(await cache.get('a', run('two'))).toEqual({ value: 'two', at: 1_060_000 })
  })

  it('keeps keys apart', async () => {
    const { cache, run } = setup()
    await cache.get('a', run('one'))
    expect((await cache.get('b', run('two'))).value).toBe('two')
  })

  it('treats an entry from the future (clock moved back) as stale', async () => {
    const { clock, cache, run } = setup()
    await cache.get('a', run('one'))
    clock.t -= 1
    expect((await cache.get('a', run('two'))).value).toBe('two')
  })

  it('never keeps a failure', async () => {
    const { cache, run } = setup()
    await expect(cache.get('a', async () => { throw new Error('boom') })).rejects.toThrow('boom')
    expect((await cache.get('a', run('ok'))).value).toBe('ok')
  })

  it('lets concurrent callers share one computation', async () => {
    const { cache } = setup()
    let runs = 0
    let release!: (v: string) => void
    const slow = () => { runs++; return new Promise<string>((r) => { release = r }) }
    const a = cache.get('k', slow)
    const b = cache.get('k', slow)
    release('v')
    expect((await a).value).toBe('v')
    expect((await b).value).toBe('v')
    expect(runs).toBe(1)
  })

  it('drops expired entries and stays within its size bound, oldest first', async () => {
    const { clock, cache, run } = setup(60_000, 2)
    await cache.get('a', run('1'))
    await cache.get('b', run('2'))
    await cache.get('c', run('3'))
    expect(cache.size).toBe(2)
    expect((await cache.get('a', run('again'))).value).toBe('again')
    clock.t += 60_000
    await cache.get('d', run('4'))
    expect(cache.size).toBe(1)
  })
})
