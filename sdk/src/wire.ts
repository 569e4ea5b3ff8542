/**
 * The browser-to-collector wire format of `POST /collect` and `GET /pixel.gif`.
 *
 * Both the SDK and the collector import this module, so the two cannot drift apart.
 * Keys are single letters because every byte of the script-tag build counts
 * (Plausible's tracker does the same); the README documents each key.
 *
 * @example
 * const batch: WireBatch = {
 *   s: 'shop', t: Date.now(),
 *   e: [{ i: '0193…', y: 'p', n: 'pageview', t: Date.now(), u: location.href, c: 1 }],
 * }
 */

/** Event types on the wire: pageview, custom event, conversion, experiment exposure. */
export type WireType = 'p' | 'e' | 'c' | 'x'

/** Consent bits carried by every event. Undecided and denied both send 0 for a category. */
export const CONSENT_ANALYTICS = 1
export const CONSENT_ADS = 2

export type WireProps = Record<string, string | number | boolean>

export interface WireEvent {
  /** Event id, a UUIDv7 made when the event was created; the collector deduplicates on it. */
  i: string
  y: WireType
  /** Name: `pageview` for pageviews, the experiment name for exposures. */
  n: string
  /** Event time by the client's clock, ms since the epoch. */
  t: number
  /** Page URL. */
  u: string
  /** Referrer: document.referrer on load, the previous URL after an SPA navigation. */
  r?: string
  /** Document title. */
  h?: string
  /** Screen width in CSS pixels. */
  w?: number
  /** Browser language. */
  l?: string
  /** Consent bitmask: CONSENT_ANALYTICS | CONSENT_ADS. */
  c: number
  /** Persistent visitor id; sent only with analytics consent. */
  v?: string
  /** User id from identify(); sent only with analytics consent. */
  d?: string
  /** Props. An exposure carries its variant as `p.variant`. */
  p?: WireProps
  /** Conversion value. */
  a?: number
  /** Conversion currency, ISO 4217. */
  m?: string
  /** Conversion order id. */
  o?: string
}

export interface WireBatch {
  /** Site id. */
  s: string
  /** Time the batch was sent by the client's clock, ms since the epoch; corrects client clock skew. */
  t: number
  /** 1 when `navigator.webdriver` is set: the collector flags the events as bot traffic. */
  b?: 1
  e: WireEvent[]
}

/** Wire type letter to the event type used in the HTTP API and storage. */
export const WIRE_TYPES = { p: 'pageview', e: 'event', c: 'conversion', x: 'exposure' } as const
