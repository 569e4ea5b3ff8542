/**
 * fast-check generators for hostile input: strings an attacker or a broken client sends,
 * wrong types, extreme numbers, deep nesting, invalid UTF-8, prototype keys. Each "valid"
 * generator produces only what the schemas accept, so a test can count what must be stored.
 */
import fc from 'fast-check'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'

/** Keys and values that have broken JavaScript and SQL code before. */
export const NASTY = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  "'; DROP TABLE events; --", '" OR "1"="1', '1; SELECT * FROM sites', '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>', '\u0000', '\u2028\u2029', '\uFEFF', '\uD800', '%00', '../../etc/passwd', '${7*7}', '{{7*7}}',
]

export const nasty = fc.constantFrom(...NASTY)

/** Any string: short, unicode, lone surrogates, nasty, or huge. */
export const anyString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: nasty },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 70_000 }).map((n) => 'x'.repeat(n)) },
)

/** Numbers JSON can carry, and some it cannot quite (1e308, -0, fractions of ids). */
export const anyNumber = fc.oneof(
  fc.integer(), fc.double(), fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -0, 0.1, 8.64e15 + 1, 1e16, -1),
)

/** Any JSON value, nested a little, with prototype keys among the object keys. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyString, anyNumber, fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), nasty), tie('value'), { maxKeys: 4 }),
  ),
})).value

/** `[[[[…]]]]` or `{"a":{"a":…}}`, deeper than any parser should recurse. */
export const deepJson = fc.tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean()).map(([n, arr]) =>
  arr ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n))

/** Text that is not JSON, JSON that is cut off, or numbers JSON cannot represent. */
export const brokenJsonText = fc.oneof(
  fc.string({ maxLength: 200 }),
  anyJson.map((v) => JSON.stringify(v) ?? 'undefined').chain((s) => fc.nat({ max: Math.max(0, s.length - 1) }).map((n) => s.slice(0, n))),
  fc.constantFrom('1e999', '-1e999', '{"s":1e999}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}', 'null', '[]', '""', '{', '\uFEFF{}', 'NaN', '{"s":"shop","t":1,"e":[1e999]}'),
  deepJson,
)

/** Bytes that are not UTF-8: valid JSON text with an invalid byte sequence spliced in. */
export const invalidUtf8 = fc.tuple(fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]), fc.string({ maxLength: 20 }))
  .map(([bad, s]) => {
    const head = new TextEncoder().encode(`{"s":"shop","t":1,"e":[{"n":"${s.replace(/["\\]/g, '')}`)
    return new Uint8Array([...head, ...bad, ...new TextEncoder().encode('"}]}')])
  })

const url = fc.tuple(fc.webPath({ size: 'small' }), fc.option(fc.webQueryParameters({ size: 'small' }), { nil: undefined }))
  .map(([path, q]) => `https://shop.example${path || '/'}${q ? `?${q}` : ''}`)

/** Prop keys as the schema allows them (1–64 characters, not `__proto__`), including other prototype names. */
const propKey = fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), nasty.filter((k) => k.length >= 1)).filter((k) => k !== '__proto__')
const propValue = fc.oneof(fc.string({ maxLength: 500 }), nasty, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), fc.boolean())
const validProps = fc.dictionary(propKey, propValue, { maxKeys: 5 })
const eventName = fc.oneof(fc.string({ minLength: 1, maxLength: 100 }), nasty.filter((k) => k.length >= 1))

export type Kind = 'pageview' | 'event' | 'conversion'

/** A browser wire event that /collect must store, and its kind. */
export const validWireEvent = (now: number) => fc.record({
  y: fc.constantFrom('p', 'e', 'c'), n: eventName, u: url, r: fc.option(url, { nil: undefined }),
  v: fc.option(fc.string({ minLength: 1, maxLength: 128 }), { nil: undefined }), c: fc.integer({ min: 0, max: 3 }),
  p: fc.option(validProps, { nil: undefined }), a: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), { nil: undefined }),
}).map((e) => {
  const ev: Record<string, unknown> = { i: uuidv7(now), t: now, ...e }
  for (const k of Object.keys(ev)) if (ev[k] === undefined) delete ev[k]
  if (e.y === 'c') { ev.o = uuidv7(now); ev.m = 'EUR' } else delete ev.a
  const kind: Kind = e.y === 'p' ? 'pageview' : e.y === 'e' ? 'event' : 'conversion'
  return { event: ev, kind }
})

/** A change that makes any wire event invalid: a wrong type, an out-of-range value, an unknown key. */
export const breakWire = fc.oneof(
  fc.constantFrom<[string, unknown]>(['i', 42], ['i', 'not-a-uuid'], ['y', 'z'], ['y', null], ['n', ''], ['n', 'x'.repeat(101)], ['t', -1],
    ['t', '2026-11-20'], ['t', 1.5], ['c', 4], ['c', '3'], ['u', 'x'.repeat(2049)], ['p', [1, 2]], ['p', { a: { nested: 1 } }], ['m', 'eur'],
    ['a', 1e13], ['w', -1], ['v', ''], ['o', ''], ['unknown_key', 1], ['p', { '': 1 }], ['p', { k: 'x'.repeat(501) }],
    ['p', JSON.parse('{"__proto__":"x","plan":"pro"}')]),
  anyString.filter((k) => !['i', 'y', 'n', 't', 'u', 'r', 'h', 'w', 'l', 'c', 'v', 'd', 'p', 'a', 'm', 'o'].includes(k)).map((k): [string, unknown] => [k, 1]),
)

/** A server event `/api/events` must store, and its kind. */
export const validServerEvent = (now: number) => fc.record({
  type: fc.constantFrom('pageview', 'event', 'conversion'), name: eventName, url: fc.option(url, { nil: undefined }),
  visitorId: fc.option(fc.string({ minLength: 1, maxLength: 128 }), { nil: undefined }),
  props: fc.option(validProps, { nil: undefined }),
  consent: fc.option(fc.record({ analytics: fc.boolean(), ads: fc.boolean() }), { nil: undefined }),
}).map((e) => {
  const ev: Record<string, unknown> = { id: uuidv7(now), ts: new Date(now).toISOString(), ...e }
  for (const k of Object.keys(ev)) if (ev[k] === undefined) delete ev[k]
  if (e.type === 'conversion') { ev.orderId = uuidv7(now); ev.value = 10; ev.currency = 'EUR' }
  return { event: ev, kind: e.type as Kind }
})

export const breakServer = fc.constantFrom<[string, unknown]>(
  ['type', 'click'], ['type', 1], ['name', ''], ['name', 'x'.repeat(101)], ['ts', 'yesterday'], ['ts', 1732000000000], ['id', 'nope'],
  ['value', 'ten'], ['value', 1e13], ['currency', 'euro'], ['props', 'x'], ['props', { a: [1] }], ['consent', { analytics: 'yes' }],
  ['consent', { marketing: true }], ['ip', 'x'.repeat(65)], ['__proto__', { polluted: 1 }], ['constructor', 'x'], ['extra', null],
  ['props', JSON.parse('{"__proto__":"x"}')],
)

/** Sets a key on a copy as an own property, even `__proto__`. */
export function withKey(o: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...o }
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true })
  return copy
}
