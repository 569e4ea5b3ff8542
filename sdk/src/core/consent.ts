import { CONSENT_ADS, CONSENT_ANALYTICS } from '../wire.js'

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

/** Send policies (numbers: smaller script). */
export const SEND = 0
export const HOLD = 1
export const DROP = 2

/**
 * What happens to events: SEND them, HOLD them in memory until the visitor decides
 * (opt-in), or DROP them (opt-in denied, or Do Not Track respected).
 *
 * @example
 * sendPolicy('opt-in', undefined, false) // HOLD
 */
export function sendPolicy(mode: ConsentMode | undefined, choice: ConsentChoice | undefined, dnt?: boolean): typeof SEND | typeof HOLD | typeof DROP {
  const a = choice?.analytics
  return dnt ? DROP : mode != 'opt-in' || a ? SEND : a == null ? HOLD : DROP
}
