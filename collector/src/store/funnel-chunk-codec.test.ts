import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeChunk, decodeProps, decodeSessionEnds, decodeSessions, encodeChunk, encodeProps, encodeSessionEnds, encodeSessions, inDayOf, mapF64, mapU32, mergeRuns,
  rowidsU32 } from './sqlite-funnel-chunks.ts'
import { DAY_MS } from './sqlite-funnel-schema.ts'

describe('funnel chunk properties codec', () => {
  it('gives back every event\'s properties text, unicode and empty ones included', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.constantFrom('{"plan":"pro"}', '{"plan":"free"}', '{"name":"Zoë 🚀"}', '', '{}'), { nil: null }), { maxLength: 40, size: 'max' }), (props) => {
      const blob = encodeProps(props)
      expect(blob === null).toBe(props.every((p) => p === null))
      if (blob === null) return
      const { dict, idx } = decodeProps(blob, props.length)
      expect(Array.from(idx, (i) => dict[i])).toEqual(props)
      // One dictionary entry per distinct text.
      expect(dict.length).toBe(new Set(props.filter((p) => p !== null)).size + 1)
    }), { numRuns: 500 })
  })

  it('reads a blob that does not start on an 8-byte boundary', () => {
    const blob = encodeProps(['{"a":1}', null, '{"a":1}'])!
    const shifted = Buffer.concat([Buffer.from([0]), blob]).subarray(1)
    expect(decodeProps(shifted, 3)).toEqual({ dict: [null, '{"a":1}'], idx: Uint32Array.from([1, 0, 1]) })
  })

  it('reads an event chunk that does not start on an 8-byte boundary', () => {
    const cols = { inDay: Uint32Array.from([1, 2]), seq: Uint32Array.from([7, 9]), visitor: Uint32Array.from([3, 4]), session: Uint32Array.from([5, 6]),
      label: Uint32Array.from([0, 1]), value: null }
    const shifted = Buffer.concat([Buffer.from([0]), encodeChunk(cols)]).subarray(1)
    expect(decodeChunk(shifted, 2)).toEqual(cols)
  })
})

describe('funnel and session chunk codecs', () => {
  const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 })
  const event = fc.record({ inDay: fc.integer({ min: 0, max: DAY_MS - 1 }), seq: u32, visitor: u32, session: u32, label: fc.integer({ min: 0, max: 3 }), value: fc.double() })

  it('gives back every column of every layout: with or without labels and values', () => {
    fc.assert(fc.property(fc.array(event, { maxLength: 40, size: 'max' }), fc.boolean(), fc.boolean(), (evs, valued, labelled) => {
      const cols = {
        inDay: Uint32Array.from(evs, (e) => e.inDay), seq: Uint32Array.from(evs, (e) => e.seq), visitor: Uint32Array.from(evs, (e) => e.visitor),
        session: Uint32Array.from(evs, (e) => e.session), label: Uint32Array.from(evs, (e) => (labelled ? e.label : 0)),
        value: valued ? Float64Array.from(evs, (e) => e.value) : null,
      }
      const blob = encodeChunk(cols)
      // Labels cost bytes only where an event has one.
      expect(blob.byteLength).toBe((16 + (valued ? 8 : 0) + (cols.label.some((l) => l !== 0) ? 4 : 0)) * evs.length)
      const back = decodeChunk(blob, evs.length)
      for (const k of ['inDay', 'seq', 'visitor', 'session', 'label'] as const) expect(Array.from(back[k])).toEqual(Array.from(cols[k]))
      // An empty chunk is never read (its count says so), and holds no layout.
      if (evs.length > 0) expect(back.value && Array.from(back.value)).toEqual(cols.value && Array.from(cols.value))
    }), { numRuns: 300 })
  })

  it('refuses a blob of no layout for its count', () => {
    expect(() => decodeChunk(Buffer.alloc(21 * 3), 3)).toThrow(/63 bytes cannot hold 3 events/)
  })

  it('keeps times as ms in their chunk\'s day, and refuses one off it', () => {
    expect(Array.from(inDayOf([3 * DAY_MS, 3 * DAY_MS + 5, 4 * DAY_MS - 1], 3))).toEqual([0, 5, DAY_MS - 1])
    expect(() => inDayOf([4 * DAY_MS], 3)).toThrow(/not on UTC day 3/)
  })

  it('keeps rowids to 32 bits, and says so of one beyond', () => {
    expect(Array.from(rowidsU32([0, 1, 2 ** 32 - 1]))).toEqual([0, 1, 2 ** 32 - 1])
    expect(() => rowidsU32([5, 2 ** 32])).toThrow(/rowid 4294967296 is beyond .* move this store to PostgreSQL/)
  })

  it('gives back a session chunk, its starts in the day, its flags in a byte each and its ends apart', () => {
    const day = 20_400
    const session = fc.record({ session: u32, visitor: u32, label: u32, flags: fc.integer({ min: 0, max: 3 }), inDay: fc.integer({ min: 0, max: DAY_MS - 1 }),
      span: fc.integer({ min: 0, max: 2 ** 40 }) })
    fc.assert(fc.property(fc.array(session, { maxLength: 40, size: 'max' }), (ss) => {
      const cols = {
        day, startInDay: Uint32Array.from(ss, (s) => s.inDay), session: Uint32Array.from(ss, (s) => s.session), visitor: Uint32Array.from(ss, (s) => s.visitor),
        label: Uint32Array.from(ss, (s) => s.label), flags: Uint8Array.from(ss, (s) => s.flags), lastTs: Float64Array.from(ss, (s) => day * DAY_MS + s.inDay + s.span),
      }
      const blob = encodeSessions(cols)
      expect(blob.byteLength).toBe(17 * ss.length)
      expect(decodeSessions(blob, ss.length, day)).toEqual({ ...cols, lastTs: null })
      expect(decodeSessionEnds(encodeSessionEnds(cols), ss.length)).toEqual(cols.lastTs)
      if (ss.length > 0) expect(decodeSessionEnds(encodeSessionEnds(cols), ss.length + 1)).toBeNull()
    }), { numRuns: 200 })
  })
})

describe('typed array maps', () => {
  it('equal the built-in from() with a map function, on arrays and typed arrays', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 31 }), { maxLength: 50 }), (xs) => {
      const f = (v: number) => (v * 3 + 1) % 2 ** 32
      expect(mapU32(xs, f)).toEqual(Uint32Array.from(xs, f))
      expect(mapU32(Uint32Array.from(xs), f)).toEqual(Uint32Array.from(Uint32Array.from(xs), f))
      expect(mapF64(xs, (v) => v / 7)).toEqual(Float64Array.from(xs, (v) => v / 7))
    }))
  })
})

describe('mergeRuns', () => {
  // Runs as event chunks merge them: each in time then arrival (rowid) order, rowids unique across runs.
  const runs = fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 30, size: 'max' }), { minLength: 1, maxLength: 12, size: 'max' }).map((times) => {
    let seq = 0
    return times.map((t) => {
      const sorted = [...t].sort((a, b) => a - b)
      return { ts: Float64Array.from(sorted), seq: Float64Array.from(sorted, () => (seq += 1 + (seq % 3))) }
    })
  })

  it('visits every event once in time then arrival order, with one run and with many', () => {
    fc.assert(fc.property(runs, (rs) => {
      const visited: number[][] = []
      mergeRuns(rs.map((r) => r.ts), rs.map((r) => r.seq), (r, i) => visited.push([rs[r].ts[i], rs[r].seq[i]]))
      const expected = rs.flatMap((r) => Array.from(r.ts, (t, i) => [t, r.seq[i]])).sort((a, b) => a[0] - b[0] || a[1] - b[1])
      expect(visited).toEqual(expected)
    }), { numRuns: 300 })
  })
})
