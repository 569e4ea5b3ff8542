/** localStorage key of the visitor's state (visitor id, user id, touches, experiments, outbox). */
export const STATE_KEY = '_fb'
/** localStorage key of the remembered consent choice; storing a choice needs no consent. */
export const CHOICE_KEY = '_fb_c'

/** Reads a JSON value; storage may be missing or blocked (Safari private mode, sandboxed iframes). */
export function load<T>(key: string): T | undefined {
  try {
    // A missing key reads as undefined, which JSON.parse rejects: that is the undefined we answer.
    return JSON.parse(localStorage[key])
  } catch {
    return undefined
  }
}

/** Writes a JSON value, or removes the key when the value is undefined. Never throws (quota, blocked). */
export function save(key: string, value?: unknown): void {
  try {
    value == null ? delete localStorage[key] : (localStorage[key] = JSON.stringify(value))
  } catch { /* storage full or blocked: the SDK keeps working from memory */ }
}
