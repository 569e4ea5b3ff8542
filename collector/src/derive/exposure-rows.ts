/**
 * The experiment rollups' maths: from one visitor's exposures and conversions, the first
 * exposure to each experiment (its variant) and, per conversion name and for any
 * conversion (''), the first conversion at or after it. An experiment readout then counts
 * exposed visitors and converters without reading their events. Pure: the store reads the
 * visitor's events and writes the rows.
 */

/** A visitor's exposure or conversion, in time then arrival order. */
export interface VisitorMark {
  type: 'exposure' | 'conversion'
  name: string
  ts: number
  /** The exposure's variant as the readout names it ('(none)' when it named none). */
  variant: string
}

export interface FirstExposure {
  experiment: string
  ts: number
  variant: string
}

export interface ExposureConversion {
  experiment: string
  /** The conversion name, or '' for the first conversion of any name. */
  name: string
  /** The first exposure, repeated so a readout needs no join. */
  exposed: number
  variant: string
  ts: number
}

/**
 * @example
 * exposureRows([{ type: 'exposure', name: 'checkout', ts: 1, variant: 'b' }, { type: 'conversion', name: 'purchase', ts: 5, variant: '(none)' }])
 * // { first: [{ experiment: 'checkout', ts: 1, variant: 'b' }],
 * //   converted: [{ experiment: 'checkout', name: 'purchase', exposed: 1, variant: 'b', ts: 5 }, { …, name: '', ts: 5 }] }
 */
export function exposureRows(marks: VisitorMark[]): { first: FirstExposure[]; converted: ExposureConversion[] } {
  const first = new Map<string, FirstExposure>()
  for (const m of marks) if (m.type === 'exposure' && !first.has(m.name)) first.set(m.name, { experiment: m.name, ts: m.ts, variant: m.variant })
  const converted: ExposureConversion[] = []
  for (const f of first.values()) {
    const seen = new Set<string>()
    for (const m of marks) {
      if (m.type !== 'conversion' || m.ts < f.ts) continue
      for (const name of [m.name, '']) {
        if (seen.has(name)) continue
        seen.add(name)
        converted.push({ experiment: f.experiment, name, exposed: f.ts, variant: f.variant, ts: m.ts })
      }
    }
  }
  return { first: [...first.values()], converted }
}
