/** Collector limits for one `POST /collect` (DESIGN.md): 100 events and 64 KiB. */
export const MAX_EVENTS = 100
/** Below 64 KiB, leaving room for the batch envelope; also the keepalive body limit. */
export const MAX_BYTES = 60_000

/**
 * How many of the first events make the next batch: at most `maxEvents`, and halved until
 * the body `serialize` makes of them fits `maxBytes` even if every character took 3 bytes
 * of UTF-8 (the most a UTF-16 code unit can), so no byte counting is needed. Always at
 * least one event; one too large alone earns a 413 and is dropped.
 *
 * @example
 * batchSize(events, (evs) => JSON.stringify(evs)) // 100 for small events
 */
export function batchSize<T>(events: readonly T[], serialize: (evs: T[]) => string, maxEvents = MAX_EVENTS, maxBytes = MAX_BYTES): number {
  let n = Math.min(events.length, maxEvents)
  while (n > 1 && serialize(events.slice(0, n)).length * 3 > maxBytes) n >>= 1
  return n
}

/** Undelivered events kept in memory and in the outbox at most; the oldest go first. */
export const MAX_QUEUE = 200
