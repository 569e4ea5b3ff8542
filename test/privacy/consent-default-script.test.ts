// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { openPage, type TestPage } from '../../sdk/test/harness.ts'
import { consentPrefix } from '../../collector/src/routes/script.ts'

let p: TestPage
afterEach(() => p?.close())

// The script-tag build as GET /funnelbeam.js?site= serves it to a visitor whose country maps to a mode.
describe('the consent default served before the script tag', () => {
  it('starts the SDK in the served mode when the tag names none', async () => {
    p = await openPage('script', { scriptPrefix: consentPrefix('opt-in') })
    await p.fb.flush()
    expect(p.posts).toEqual([]) // opt-in: nothing leaves before a choice
    p.fb.consent({ analytics: true })
    await p.fb.flush()
    expect(p.events().map((e) => e.n)).toEqual(['pageview'])
  })

  it('gives way to an explicit data-consent on the tag, either way', async () => {
    p = await openPage('script', { scriptPrefix: consentPrefix('opt-in'), consent: 'anonymous' })
    await p.fb.flush()
    expect(p.events().map((e) => e.n)).toEqual(['pageview'])
    p.close()

    p = await openPage('script', { scriptPrefix: consentPrefix('anonymous'), consent: 'opt-in' })
    await p.fb.flush()
    expect(p.posts).toEqual([])
  })

  it('an anonymous default sends at once, without consent bits', async () => {
    p = await openPage('script', { scriptPrefix: consentPrefix('anonymous') })
    await p.fb.flush()
    expect(p.events().map((e) => [e.n, e.c])).toEqual([['pageview', 0]])
  })
})
