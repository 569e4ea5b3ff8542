/**
 * The experiment readout from per-variant counts: rates, lift against control with 95%
 * intervals, p-values and the sample-ratio-mismatch check.
 *
 * Control is the variant named `control`; without one, the first variant in alphabetical
 * order. Weights default to an equal split; a plain list (`50,50`) applies to the variants
 * in alphabetical order. Variants planned in the weights but never seen count as 0
 * visitors, which is exactly what SRM should flag.
 */
import type { VariantCounts } from '../store/report-types.ts'
import { compareProportions, ratio, sampleRatioMismatch } from './stats.ts'
import type { ExperimentQuery, ExperimentReport, VariantRow } from './types.ts'

/** SRM warns below this p-value, as is usual for the test. */
export const SRM_THRESHOLD = 0.001

/**
 * Pairs weights with variant names, or answers why they do not fit.
 *
 * @example
 * resolveWeights(['a', 'b'], [1, 3]) // { a: 1, b: 3 }
 */
export function resolveWeights(variants: string[], weights: ExperimentQuery['weights']): Record<string, number> | string {
  const sorted = [...variants].sort()
  if (weights === null) return Object.fromEntries(sorted.map((v) => [v, 1]))
  if (Array.isArray(weights)) {
    if (weights.length !== sorted.length) {
      return `${weights.length} weights given but ${sorted.length} variants seen (${sorted.join(', ') || 'none'}); name them: control:50,b:50`
    }
    return Object.fromEntries(sorted.map((v, i) => [v, weights[i]]))
  }
  const unknown = sorted.filter((v) => !(v in weights))
  if (unknown.length) return `weights name no weight for variant(s) ${unknown.join(', ')}`
  return { ...weights }
}

/**
 * Builds the readout. `weights` must come from resolveWeights.
 *
 * @example
 * readout('checkout', { from, to, conversion: 'purchase', weights: null }, [{ variant: 'control', visitors: 1000, converters: 100 }, …], w)
 */
export function readout(name: string, q: ExperimentQuery, counts: VariantCounts[], weights: Record<string, number>): ExperimentReport {
  const byName = new Map(counts.map((c) => [c.variant, c]))
  const names = [...new Set([...counts.map((c) => c.variant), ...Object.keys(weights)])].sort()
  const get = (v: string) => byName.get(v) ?? { variant: v, visitors: 0, converters: 0 }
  const control = names.includes('control') ? 'control' : (names[0] ?? null)
  const base = control === null ? null : get(control)
  const variants: VariantRow[] = names.map((v) => {
    const c = get(v)
    const lift = base && v !== control
      ? compareProportions(c.converters, c.visitors, base.converters, base.visitors)
      : { absoluteLift: null, absoluteLiftCI: null, relativeLift: null, relativeLiftCI: null, pValue: null }
    return { variant: v, visitors: c.visitors, conversions: c.converters, rate: ratio(c.converters, c.visitors), ...lift }
  })
  const srm = sampleRatioMismatch(names.map((v) => get(v).visitors), names.map((v) => weights[v] ?? 0))
  return {
    experiment: name, from: q.from, to: q.to, conversion: q.conversion, control, variants,
    srm: { weights, ...srm, warning: srm.pValue !== null && srm.pValue < SRM_THRESHOLD },
  }
}
