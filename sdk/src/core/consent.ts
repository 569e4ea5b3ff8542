import { CONSENT_ADS, CONSENT_ANALYTICS } from '../wire'

/** `anonymous` (default): cookieless until a choice; `opt-in`: nothing until granted; `opt-out`: granted until denied. */
export type ConsentMode = 'anonymous' | 'opt-in' | 'opt-out'

/** A visitor's consent choice per category; a missing category is undecided. */
export interface ConsentChoice {
  analytics?: boolean
  ads?: boolean
}

/**
 * The effective consent as the wire bitmask (CONSENT_ANALYTICS | CONSENT_ADS).
 * Global Privacy Control always denies ads; Do Not Track (when the site respects it)
 * denies everything.
 *
 * @example
 * consentBits('opt-out', undefined, true, false) // CONSENT_ANALYTICS: GPC denied ads
 */
export function consentBits(mode: ConsentMode | undefined, choice: ConsentChoice | undefined, gpc?: boolean, dnt?: boolean): number {
  const dflt = mode == 'opt-out'
  return dnt ? 0 : ((choice?.analytics ?? dflt) ? CONSENT_ANALYTICS : 0) | (!gpc && (choice?.ads ?? dflt) ? CONSENT_ADS : 0)
}

/**
 * What happens to a new event: `send` it, `hold` it in memory until the visitor decides
 * (opt-in), or `drop` it (opt-in denied, or Do Not Track respected).
 *
 * @example
 * sendPolicy('opt-in', undefined, false) // 'hold'
 */
export function sendPolicy(mode: ConsentMode | undefined, choice: ConsentChoice | undefined, dnt?: boolean): 'send' | 'hold' | 'drop' {
  const a = choice?.analytics
  return dnt ? 'drop' : mode != 'opt-in' || a ? 'send' : a == null ? 'hold' : 'drop'
}

/**
 * Merges a new choice into the remembered one; a category left out keeps its value.
 *
 * @example
 * mergeChoice({ analytics: true }, { ads: false }) // { analytics: true, ads: false }
 */
export const mergeChoice = (old: ConsentChoice | undefined, next: ConsentChoice): ConsentChoice => ({ ...old, ...next })
