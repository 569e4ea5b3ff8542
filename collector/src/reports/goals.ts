/**
 * Goals without code: validation of a goal definition (`PUT /api/sites/:site/goals/:name`).
 * Which events a goal turns into conversions is derivation's business (`derive/goals.ts`).
 */
import { z } from 'zod'
import type { ErrorIssue } from '../http/errors.ts'
import type { Goal } from '../store/goal-types.ts'
import { isInvalid, validBody } from '../http/body-issues.ts'

export type { Goal }

/** Goal names are used in funnel steps (`conversion:<goal>`) and URLs: no `?`, `&` or spaces. */
export const GOAL_NAME = /^[\w.:-]{1,100}$/
const MAX_PROPS = 20

const scalar = z.union([z.string().max(200), z.number().finite(), z.boolean()]).transform(String)
/** A goal definition as validated (also read by the OpenAPI description). */
export const body = z.object({
  path: z.string().min(1).max(300).regex(/^[/*]/, 'must start with / (a path glob such as /thanks*)').optional(),
  event: z.string().trim().min(1).max(200).optional(),
  props: z.record(z.string().min(1).max(100), scalar).refine((p) => Object.keys(p).length <= MAX_PROPS, `at most ${MAX_PROPS} properties`).optional(),
  value: z.number().finite().min(0, 'must not be negative').max(1e12).optional(),
  currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR').optional(),
}).strict()
  .refine((g) => (g.path === undefined) !== (g.event === undefined), { message: 'give either a path or an event', path: ['path'] })
  .refine((g) => g.path === undefined || g.props === undefined, { message: 'props go with an event goal', path: ['props'] })

/**
 * Validates `PUT /goals/:name`; answers the goal or the issues naming each bad field.
 * A value without a currency is in the site's currency.
 *
 * @example
 * parseGoal('signup', { path: '/thanks*' }, 'EUR') // { name: 'signup', path: '/thanks*', event: null, props: {}, value: null, currency: null }
 * parseGoal('pro', { event: 'plan_select', props: { plan: 'pro' }, value: 30 }, 'EUR').currency // 'EUR'
 */
export function parseGoal(name: string, input: unknown, defaultCurrency: string): Goal | { message: string; issues: ErrorIssue[] } {
  const nameIssue: ErrorIssue[] = GOAL_NAME.test(name) ? [] : [{ path: 'name', message: 'a goal name is 1-100 letters, digits, _ . : or -' }]
  const g = validBody(body, input, nameIssue)
  if (isInvalid(g)) return g
  return {
    name, path: g.path ?? null, event: g.event ?? null, props: g.props ?? {},
    value: g.value ?? null, currency: g.value === undefined ? null : (g.currency ?? defaultCurrency),
  }
}

