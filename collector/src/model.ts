/**
 * The collector's shared domain types: what ingest produces, derivation and the stores
 * persist, and reports read. Every layer imports them from here, so none depends on another
 * layer's module just for a type.
 */
import type { ConsentRegions } from './privacy/consent-regions.ts'

export type EventType = 'pageview' | 'event' | 'conversion' | 'exposure'
/** Where an event came from; 'goal' marks a conversion derived from a site's goal (never sent by a client). */
export type EventOrigin = 'browser' | 'pixel' | 'server' | 'goal'
export type Props = Record<string, string | number | boolean>

/** Where a visit came from: campaign parameters, click ids and referrer of one URL. */
export interface Touch {
  source: string | null
  medium: string | null
  campaign: string | null
  term: string | null
  content: string | null
  utmId: string | null
  /** The first click id found (gclid, fbclid, …) and its value; null without ads consent. */
  clickIdType: string | null
  clickId: string | null
  referrerHost: string | null
}

/** An event after validation and enrichment, ready to store. Times are ms since the epoch. */
export interface EnrichedEvent {
  id: string
  type: EventType
  name: string
  ts: number
  received: number
  visitor: string | null
  userId: string | null
  path: string | null
  url: string | null
  referrer: string | null
  title: string | null
  touch: Touch
  channel: string
  device: string | null
  browser: string | null
  country: string | null
  lang: string | null
  screen: number | null
  value: number | null
  currency: string | null
  orderId: string | null
  props: Props | null
  consent: number
  bot: boolean
  origin: EventOrigin
}

export type InsertOutcome = 'accepted' | 'duplicate'

export interface Site {
  id: string
  origins: string[]
  /** SHA-256 hex of the site secret; the secret itself is shown once and never stored. */
  secretHash: string
  currency: string
  timezone: string
  created: number
  /** Which consent mode the script tag starts with, per visitor country; null: the tag's own. */
  consentRegions?: ConsentRegions | null
}

export interface QuarantineRow {
  site: string | null
  received: number
  origin: EventOrigin
  reason: string
  message: string
  payload: string
}

/** What sessions read of an event (all that derivation re-reads of a stored one). */
export type SessionFields = Pick<EnrichedEvent, 'id' | 'ts' | 'type' | 'touch' | 'channel' | 'path' | 'device' | 'browser' | 'country' | 'consent' | 'bot'>

/** What a session keeps of its entry event. */
export interface SessionEntry {
  source: string | null
  medium: string | null
  campaign: string | null
  term: string | null
  content: string | null
  clickIdType: string | null
  referrerHost: string | null
  channel: string
  landingPath: string | null
  device: string | null
  browser: string | null
  country: string | null
  consent: number
  bot: boolean
}

/** A session as derivation makes it and the stores keep it. */
export interface DerivedSession extends SessionEntry {
  /** The id of the session's first event: the same events always make the same id. */
  id: string
  visitor: string
  started: number
  lastTs: number
  campaignKey: string | null
  events: number
  pageviews: number
}

/** Attribution models that split one conversion over its touches by a fixed rule (reports and the credit rollups). */
export type RuleModel = 'first' | 'last_non_direct' | 'linear' | 'position' | 'time_decay'
/** Every rule model, in the order reports list them. */
export const RULE_MODELS: readonly RuleModel[] = ['first', 'last_non_direct', 'linear', 'position', 'time_decay']
