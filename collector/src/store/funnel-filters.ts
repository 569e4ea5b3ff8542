import type { StepFilter } from './report-types.ts'

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
