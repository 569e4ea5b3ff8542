/** Time source, injected so tests can move time (salt rotation, sessions, windows). */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }
