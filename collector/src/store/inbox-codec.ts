/**
 * How an acknowledged event is written into an inbox row: a positional array instead of
 * an object. An enriched event as an object is ~560 bytes of JSON, mostly repeated keys
 * and nulls; as an array ~220. Every byte is written to the WAL while a client waits for
 * its acknowledgement, and read back by derivation.
 */
import type { EnrichedEvent, Touch } from '../model.ts'

type Packed = unknown[]

/**
 * @example
 * const back = unpackEvent(JSON.parse(JSON.stringify(packEvent(e)))) // deep-equals e
 */
export function packEvent(e: EnrichedEvent): Packed {
  const t = e.touch
  return [
    e.id, e.type, e.name, e.ts, e.received, e.visitor, e.userId, e.path, e.url, e.referrer, e.title,
    t.source, t.medium, t.campaign, t.term, t.content, t.utmId, t.clickIdType, t.clickId, t.referrerHost,
    e.channel, e.device, e.browser, e.country, e.lang, e.screen, e.value, e.currency, e.orderId, e.props, e.consent,
    e.bot ? 1 : 0, e.origin,
  ]
}

export function unpackEvent(a: Packed): EnrichedEvent {
  const touch: Touch = {
    source: a[11] as string | null, medium: a[12] as string | null, campaign: a[13] as string | null, term: a[14] as string | null,
    content: a[15] as string | null, utmId: a[16] as string | null, clickIdType: a[17] as string | null, clickId: a[18] as string | null,
    referrerHost: a[19] as string | null,
  }
  return {
    id: a[0] as string, type: a[1] as EnrichedEvent['type'], name: a[2] as string, ts: a[3] as number, received: a[4] as number,
    visitor: a[5] as string | null, userId: a[6] as string | null, path: a[7] as string | null, url: a[8] as string | null,
    referrer: a[9] as string | null, title: a[10] as string | null, touch, channel: a[20] as string, device: a[21] as string | null,
    browser: a[22] as string | null, country: a[23] as string | null, lang: a[24] as string | null, screen: a[25] as number | null,
    value: a[26] as number | null, currency: a[27] as string | null, orderId: a[28] as string | null,
    props: a[29] as EnrichedEvent['props'], consent: a[30] as number, bot: a[31] === 1, origin: a[32] as EnrichedEvent['origin'],
  }
}

/** A group's events as the inbox row's text. */
export function encodeGroup(events: EnrichedEvent[]): string {
  return JSON.stringify(events.map(packEvent))
}

/** An inbox row's text as events. */
export function decodeGroup(text: string): EnrichedEvent[] {
  return (JSON.parse(text) as Packed[]).map(unpackEvent)
}
