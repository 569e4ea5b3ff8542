// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { openPage, type TestPage } from './harness'

let p: TestPage
afterEach(() => p?.close())

describe.each(['script', 'esm'] as const)('calls made before the SDK is ready (%s build)', (build) => {
  it('are replayed in order, after the load pageview', async () => {
    p = await openPage(build, {
      queue: [['track', 'cta_click', { plan: 'pro' }], ['identify', 'u-1'], ['convert', 'lead'], ['track', 'third']],
    })
    await p.fb.flush()
    expect(p.events().map((e) => e.n)).toEqual(['pageview', 'cta_click', 'lead', 'third'])
    expect(p.events()[1].p).toEqual({ plan: 'pro' })
  })

  it('one failing or unknown call does not stop the others', async () => {
    p = await openPage(build, { queue: [['nope'], ['track'], ['experiment', 'x', 42], ['track', 'still']] })
    await p.fb.flush()
    expect(p.events().map((e) => e.n)).toEqual(['pageview', 'still'])
  })
})

describe('script tag', () => {

  it('answers both call styles after load: funnelbeam("track", …) and funnelbeam.track(…)', async () => {
    p = await openPage('script')
    const fb = p.window as unknown as { funnelbeam: ((...a: unknown[]) => unknown) & { track(n: string): string } }
    const a = fb.funnelbeam('track', 'one') as string
    const b = fb.funnelbeam.track('two')
    await p.fb.flush()
    expect(p.events().filter((e) => e.y == 'e').map((e) => [e.n, e.i])).toEqual([['one', a], ['two', b]])
  })

  it('reads its options from data attributes and sends to its own origin by default', async () => {
    p = await openPage('script', { endpoint: 'https://stats.example', consent: 'opt-in' })
    expect(p.posts).toEqual([])
    p.fb.consent({ analytics: true })
    await p.fb.flush()
    expect(p.posts[0].url).toBe('https://stats.example/collect')
  })
})
