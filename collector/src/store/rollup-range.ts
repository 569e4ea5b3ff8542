import type { TimeRange } from './report-types.ts'
import { SLOT_MS } from './report-types.ts'

/**
 * Whether a range starts and ends on 15-minute slot boundaries, so the report rollups can
 * answer for it (report ranges are whole days in a timezone, and every offset is whole slots).
 *
 * @example
 * slotAligned({ start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 2) }) // true
 */
export function slotAligned(range: TimeRange): boolean {
  return range.start % SLOT_MS === 0 && range.end % SLOT_MS === 0
}
