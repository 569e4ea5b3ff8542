import type { ConversionRow, TouchSession } from './report-types.ts'

/**
 * Groups the rows of an attribution scan by visitor, for both stores. A row is
 * `[visitor, ts, isConversion, value, currency, channel, source, medium, campaign,
 * clickIdType, referrerHost]`, sorted by visitor then time; each visitor with at least
 * one conversion (with `everyVisitor`, each visitor) is handed to `onVisitor` once all
 * their rows have passed.
 *
 * @example
 * const g = attributionGrouper(onVisitor)
 * for (const row of rows) g.push(row)
 * g.end()
 */
export function attributionGrouper(onVisitor: (touches: TouchSession[], conversions: ConversionRow[]) => void, everyVisitor = false) {
  let visitor: unknown = undefined
  let touches: TouchSession[] = []
  let convs: ConversionRow[] = []
  const flush = () => { if (convs.length || (everyVisitor && touches.length)) onVisitor(touches, convs) }
  return {
    push(r: unknown[]): void {
      if (r[0] !== visitor) {
        flush()
        touches = []
        convs = []
        visitor = r[0]
      }
      if (r[2] === 1) convs.push({ ts: r[1] as number, value: r[3] as number | null, currency: r[4] as string | null })
      else {
        touches.push({
          started: r[1] as number, channel: r[5] as string, source: r[6] as string | null, medium: r[7] as string | null,
          campaign: r[8] as string | null, clickIdType: r[9] as string | null, referrerHost: r[10] as string | null,
        })
      }
    },
    end(): void {
      flush()
      convs = []
      touches = []
    },
  }
}
