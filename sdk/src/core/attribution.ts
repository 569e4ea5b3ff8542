import { CLICK_ID, type Touch } from './touch.js'

/** Touches older than this are forgotten (DESIGN.md: a 90-day expiry). */
export const TOUCH_TTL_MS = 90 * 864e5

/** The first and the last marketing touch of a visitor. */
export interface Touches {
  first?: Touch
  last?: Touch
}

/** What `attribution()` answers: both touches and the click ids they carry (last touch wins). */
export interface Attribution extends Touches {
  clickIds: Record<string, string>
}

/**
 * Adds a new touch and expires old ones. The first touch is kept until it expires; every
 * new touch becomes the last one, so a direct revisit never hides an earlier campaign.
 *
 * @example
 * addTouch({ first: a }, b, now) // { first: a, last: b } while a is younger than 90 days
 */
export function addTouch(t: Touches, touch: Touch | undefined, now: number): Touches {
  const live = (x?: Touch) => (x && now - x.time < TOUCH_TTL_MS ? x : undefined)
  return { first: live(t.first) || touch, last: touch || live(t.last) }
}

/**
 * The public view of the touches: without `ads` consent no click id is shown, so a lead
 * form cannot carry one into a CRM either. Copies, so callers cannot change the state.
 *
 * @example
 * attributionOf({ last: { gclid: 'x', time: 1 } }, true) // { first: undefined, last: {…}, clickIds: { gclid: 'x' } }
 */
export function attributionOf(t: Touches, ads: boolean): Attribution {
  const clickIds: Record<string, string> = {}
  // First, then last: the last touch's click id wins.
  const view = (x?: Touch) => {
    const y = x && { ...x }
    for (const k in y) if (CLICK_ID.test(k)) ads ? (clickIds[k] = y[k] as string) : delete y[k]
    return y
  }
  return { first: view(t.first), last: view(t.last), clickIds }
}

/**
 * The value for a `data-fb-attribution="key"` input: the last touch's, else the first's.
 *
 * @example
 * attributionValue(attribution, 'utm_source') // 'google'
 */
export const attributionValue = (a: Attribution, key: string): string | number | undefined => a.last?.[key] ?? a.first?.[key]
