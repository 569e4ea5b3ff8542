import { describe, expect, it } from 'vitest'
import { matchPath, parseStep, sqlGlob } from './steps.ts'

describe('parseStep', () => {
  it('parses event, conversion and pageview steps with property filters', () => {
    expect(parseStep('event:cta_click?plan=pro&size=l')).toEqual({
      label: 'event:cta_click?plan=pro&size=l', type: 'event', name: 'cta_click', pathGlob: null, props: { plan: 'pro', size: 'l' },
    })
    expect(parseStep('pageview:/blog/*')).toMatchObject({ type: 'pageview', name: null, pathGlob: '/blog/*', props: {} })
    expect(parseStep('conversion:purchase')).toMatchObject({ type: 'conversion', name: 'purchase' })
  })
  it('explains what is wrong', () => {
    expect(parseStep('signup')).toMatch(/type:name/)
    expect(parseStep('click:x')).toMatch(/type must be one of/)
    expect(parseStep('event:')).toMatch(/names no event/)
    expect(parseStep('pageview:pricing')).toMatch(/starting with \//)
    expect(parseStep('event:x?plan')).toMatch(/key=value/)
  })
})

describe('matchPath', () => {
  it('matches * within a segment and ** across', () => {
    expect(matchPath('/pricing', '/pricing')).toBe(true)
    expect(matchPath('/pricing', '/pricing/x')).toBe(false)
    expect(matchPath('/blog/*', '/blog/hello')).toBe(true)
    expect(matchPath('/blog/*', '/blog/a/b')).toBe(false)
    expect(matchPath('/blog/**', '/blog/a/b')).toBe(true)
    expect(matchPath('/p.html', '/pxhtml')).toBe(false)
    expect(matchPath('/*/checkout', '/de/checkout')).toBe(true)
  })
  it('turns a glob into an SQLite GLOB that matches at least the same paths', () => {
    expect(sqlGlob('/blog/**')).toBe('/blog/*')
    expect(sqlGlob('/a[1]?')).toBe('/a[[]1][?]')
  })
})
