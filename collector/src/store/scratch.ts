/**
 * Typed arrays a report reuses from one run to the next in the same thread, instead of
 * allocating them afresh: at 10M events a funnel's per-unit and per-event arrays come to
 * about 200 MB, and first touching fresh memory cost about 2.8 ms a MB here (page faults,
 * 85 ms for one 30 MB array) where filling memory already touched costs a tenth of that.
 * The arrays are let go after five minutes without use, as the chunk cache lets its chunks
 * go, so an idle collector gives the memory back (unless the worker is told to keep them:
 * `keepReportMemory`). After a minute, as before, a marketer's
 * pause between two reports cost the next one its arrays: the 3-step funnel at 10M through
 * the report workers took 451 ms after 65 s idle against 199 ms after 50 s.
 *
 * An array is valid until the same slot is asked for again: only code that runs to the end
 * without yielding (a report's read inside its transaction) may use them, and each slot
 * names one use.
 */

/** How long a report thread keeps its scratch arrays and decoded chunks without a report, unless told to keep them (`keepReportMemory`). */
const REPORT_MEMORY_IDLE_MS = 5 * 60_000

let idleMs = REPORT_MEMORY_IDLE_MS
const buffers = new Map<string, ArrayBuffer>()
let lastUse = 0
let timer: ReturnType<typeof setTimeout> | null = null

/**
 * How long this thread keeps its report memory (scratch arrays, decoded chunks) without a
 * report: `REPORT_MEMORY_IDLE_MS` unless `keepReportMemory` said otherwise.
 */
export const reportMemoryIdleMs = (): number => idleMs

/**
 * Keeps this thread's report memory for `ms` without a report (Infinity: for the thread's
 * life). A report worker warmed on start (`report-runner/warm-up.ts`) keeps it for good: a
 * marketer's first page of the morning would otherwise find it let go in the night and pay
 * for every page again (at 10M events, a 90-day dashboard 0.4 s warm against 1.2-1.7 s).
 *
 * @example
 * keepReportMemory(Infinity) // in a worker whose server warms it on start
 */
export function keepReportMemory(ms: number): void {
  idleMs = ms
  if (ms === Infinity && timer) {
    clearTimeout(timer)
    timer = null
  }
}

function letGoWhenIdle(): void {
  lastUse = Date.now()
  if (timer || idleMs === Infinity) return
  const check = () => {
    const idle = Date.now() - lastUse
    if (idle >= idleMs) {
      buffers.clear()
      timer = null
    } else timer = setTimeout(check, idleMs - idle).unref()
  }
  timer = setTimeout(check, idleMs).unref()
}

type Ctor<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number }

function take<T extends { fill(v: number): T }>(ctor: Ctor<T>, slot: string, n: number, value: number | null): T {
  const bytes = n * ctor.BYTES_PER_ELEMENT
  let buf = buffers.get(slot)
  if (!buf || buf.byteLength < bytes) {
    // Room to grow: the next report asks for about as much, often a little more.
    buf = new ArrayBuffer(Math.ceil((bytes * 1.25) / 8) * 8)
    buffers.set(slot, buf)
  }
  letGoWhenIdle()
  const out = new ctor(buf, 0, n)
  return value === null ? out : out.fill(value)
}

/**
 * A `Float64Array` of `n` elements, each `value` (null: whatever the last use left, for an
 * array the caller writes whole before reading), from slot `slot`.
 *
 * @example
 * const lastSeen = scratchF64('funnel.lastLater', units + 1) // zeros, memory reused
 */
export const scratchF64 = (slot: string, n: number, value: number | null = 0): Float64Array => take(Float64Array, slot, n, value)

/** A `Uint32Array` of `n` elements, each `value`, from slot `slot` (see `scratchF64`). */
export const scratchU32 = (slot: string, n: number, value: number | null = 0): Uint32Array => take(Uint32Array, slot, n, value)

/** An `Int32Array` of `n` elements, each `value`, from slot `slot` (see `scratchF64`). */
export const scratchI32 = (slot: string, n: number, value: number | null = 0): Int32Array => take(Int32Array, slot, n, value)

/** A `Uint8Array` of `n` elements, each `value`, from slot `slot` (see `scratchF64`). */
export const scratchU8 = (slot: string, n: number, value: number | null = 0): Uint8Array => take(Uint8Array, slot, n, value)

/** A `Uint16Array` of `n` elements, each `value`, from slot `slot` (see `scratchF64`). */
export const scratchU16 = (slot: string, n: number, value: number | null = 0): Uint16Array => take(Uint16Array, slot, n, value)
