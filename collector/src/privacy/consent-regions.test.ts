import { describe, expect, it } from 'vitest'
import { consentModeFor, consentRegionsSchema, type ConsentRegions } from './consent-regions.ts'
import { EEA_COUNTRIES, EU_COUNTRIES } from './country-groups.ts'

const regions: ConsentRegions = {
  default: 'anonymous',
  rules: [{ countries: ['EEA', 'GB', 'CH'], mode: 'opt-in' }, { countries: ['US', 'CH'], mode: 'opt-out' }],
}

describe('consentModeFor', () => {
  it('gives every EEA country, GB and CH the rule mode, the first matching rule winning', () => {
    for (const c of [...EEA_COUNTRIES, 'GB', 'CH']) expect(consentModeFor(regions, c), c).toBe('opt-in')
    expect(consentModeFor(regions, 'US')).toBe('opt-out')
  })

  it('gives other and unknown countries the default', () => {
    expect(consentModeFor(regions, 'BR')).toBe('anonymous')
    expect(consentModeFor(regions, null)).toBe('anonymous')
  })

  it('knows the EU from the EEA', () => {
    const eu: ConsentRegions = { default: 'opt-out', rules: [{ countries: ['EU'], mode: 'opt-in' }] }
    expect(EU_COUNTRIES).toHaveLength(27)
    expect(consentModeFor(eu, 'FR')).toBe('opt-in')
    expect(consentModeFor(eu, 'NO')).toBe('opt-out')
    expect(consentModeFor(eu, 'GB')).toBe('opt-out')
  })
})

describe('consentRegionsSchema', () => {
  it('names the bad field', () => {
    const r = consentRegionsSchema.safeParse({ default: 'anonymous', rules: [{ countries: ['DE', 'UK'], mode: 'opt-in' }] })
    expect(r.success).toBe(false)
    expect(r.error!.issues[0]).toMatchObject({ path: ['rules', 0, 'countries', 1], message: 'UK is not an ISO 3166-1 code: use GB' })
    const m = consentRegionsSchema.safeParse({ default: 'maybe' })
    expect(m.error!.issues[0].path).toEqual(['default'])
    expect(consentRegionsSchema.safeParse({ default: 'opt-in', rules: [{ countries: ['de'], mode: 'opt-in' }] }).success).toBe(false)
  })
})
