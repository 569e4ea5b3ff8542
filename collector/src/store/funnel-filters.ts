import type { FunnelKey, StepFilter } from './report-types.ts'
import { matchPath } from '../reports/steps.ts'

/** What makes two steps read the same events: type, name and path glob. */
export const stepFilterKey = (f: StepFilter) => `${f.type}\n${f.name}\n${f.pathGlob}`

/**
 * The distinct filters of a funnel's steps, for both stores' scans: repeated steps share
 * one filter (one query arm), which reads props when any of its steps needs them.
 *
 * @example
 * distinctStepFilters([a, b, a]) // [a, b]
 */
export function distinctStepFilters(steps: StepFilter[]): StepFilter[] {
  const filters: StepFilter[] = []
  for (const f of steps) {
    const same = filters.find((g) => stepFilterKey(g) === stepFilterKey(f))
    if (!same) filters.push({ ...f })
    else if (f.needsProps) same.needsProps = true
  }
  return filters
}

/**
 * Whether events of this key can fill the step filter (its property filters aside): the
 * same type, and the same name or, for a pageview, a path the glob matches.
 *
 * @example
 * keyFillsFilter({ type: 'pageview', name: null, pathGlob: '/blog/*' }, { type: 'pageview', name: '', path: '/blog/a' }) // true
 */
export function keyFillsFilter(f: StepFilter, k: FunnelKey): boolean {
  if (f.type !== k.type) return false
  return f.pathGlob !== null ? matchPath(f.pathGlob, k.path) : f.name === k.name
}

/**
 * What the events of each key can do in a funnel: 0 fill no step (a glob's superset read
 * them), 1 fill the first step only, with no property filter (a unit with no event of a
 * later step's key needs just its first one in the range: any later one gets no further),
 * 2 anything else.
 */
export function keyRoles(steps: StepFilter[], keys: FunnelKey[]): Uint8Array {
  return Uint8Array.from(keys, (k) => {
    const fills = steps.map((f) => keyFillsFilter(f, k))
    if (!fills.some(Boolean)) return 0
    return fills[0] && !steps[0].needsProps && !fills.slice(1).some(Boolean) ? 1 : 2
  })
}
