/**
 * Region-aware consent defaults: a site maps countries to the consent mode its script-tag
 * SDK starts with, like the `region` parameter of Google's consent mode defaults.
 */
import { z } from 'zod'
import { COUNTRY_GROUPS } from './country-groups.ts'

/** The SDK's consent modes (sdk/src/core/consent.ts). */
export const consentMode = z.enum(['anonymous', 'opt-in', 'opt-out'])
export type ConsentModeName = z.infer<typeof consentMode>

const countryOrGroup = z.string().max(8).refine((c) => c !== 'UK', 'UK is not an ISO 3166-1 code: use GB')
  .refine((c) => /^[A-Z]{2}$/.test(c) || c in COUNTRY_GROUPS, 'expected an ISO 3166-1 alpha-2 code in capitals (e.g. DE) or a group: EU, EEA')

/**
 * The site setting. The first rule naming the visitor's country decides; a visitor of
 * no rule's country, or whose country is unknown, gets `default`.
 */
export const consentRegionsSchema = z.strictObject({
  default: consentMode,
  rules: z.array(z.strictObject({ countries: z.array(countryOrGroup).min(1).max(300), mode: consentMode })).max(50).default([]),
})
export type ConsentRegions = z.infer<typeof consentRegionsSchema>

/**
 * The consent mode a visitor from `country` starts with. Groups (EU, EEA) expand here,
 * not when saved, so a corrected group list applies to every site.
 *
 * @example
 * const regions = { default: 'anonymous', rules: [{ countries: ['EEA', 'GB', 'CH'], mode: 'opt-in' }] } as const
 * consentModeFor(regions, 'DE') // 'opt-in'
 * consentModeFor(regions, 'US') // 'anonymous'
 * consentModeFor(regions, null) // 'anonymous'
 */
export function consentModeFor(regions: ConsentRegions, country: string | null): ConsentModeName {
  if (country) {
    for (const rule of regions.rules) {
      if (rule.countries.some((c) => c === country || COUNTRY_GROUPS[c]?.includes(country))) return rule.mode
    }
  }
  return regions.default
}
