import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeChunk, decodeProps, encodeChunk, encodeProps, mapF64, mapU32, mergeRuns } from './sqlite-funnel-chunks.ts'

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
    const cols = { ts: Float64Array.from([1, 2]), seq: Float64Array.from([7, 9]), visitor: Uint32Array.from([3, 4]), session: Uint32Array.from([5, 6]),
      label: Uint32Array.from([0, 1]), value: null }
    const shifted = Buffer.concat([Buffer.from([0]), encodeChunk(cols)]).subarray(1)
    expect(decodeChunk(shifted, 2)).toEqual(cols)
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
