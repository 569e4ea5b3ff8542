import { describe, expect, it } from 'vitest'
import { cleanProps } from './props'

describe('cleanProps', () => {
  it('keeps strings, numbers and booleans', () => {
    expect(cleanProps({ plan: 'pro', seats: 3, trial: false })).toEqual({ plan: 'pro', seats: 3, trial: false })
  })

  it('drops what the wire cannot carry', () => {
    expect(cleanProps({ a: null, b: undefined, c: { x: 1 }, d: [1], e: () => 1, f: NaN, ok: 'y' })).toEqual({ ok: 'y' })
  })

  it('is undefined when nothing is left or nothing was given', () => {
    expect(cleanProps({ a: null })).toBeUndefined()
    expect(cleanProps(undefined)).toBeUndefined()
    expect(cleanProps('text')).toBeUndefined()
  })
})
