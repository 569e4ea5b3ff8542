/**
 * Decoded day chunks (`session_chunks`, `event_chunks`, `funnel_chunks`) kept by a report connection from
 * one report to the next. Segments, data-driven attribution and funnels with entry
 * attributes read the same days' sessions again and again (at 10M events, 80 MB of
 * session chunks for a month; a segmented channels report read them twice); a chunk read
 * afresh is copied out of SQLite into new memory, which this VM pays for in page faults.
 *
 * A chunk's rowid is its version: derivation gives a chunk it builds again the next rowid
 * of its table, and never deletes one (a day that loses its sessions keeps an empty chunk),
 * so a kept chunk whose rowid still matches is the stored one.
 *
 * Bounded by bytes (least recently read first out), and let go after five minutes without
 * a read, as the scratch arrays are (`scratch.ts`).
 */
import type Database from 'better-sqlite3'

/** What one connection keeps at most. */
export const CHUNK_CACHE_BYTES = 192 * 2 ** 20
const IDLE_MS = 5 * 60_000

interface Kept {
  version: number
  bytes: number
  cols: unknown
}

export class ChunkCache {
  // A Map iterates in insertion order: re-inserting on each read keeps the least recent first.
  private readonly kept = new Map<string, Kept>()
  private bytes = 0
  private idle: NodeJS.Timeout | null = null

  constructor(private readonly cap = CHUNK_CACHE_BYTES) {}

  /** The columns kept for `key` at `version`, or undefined (a kept older version is dropped). */
  get<T>(key: string, version: number): T | undefined {
    const k = this.kept.get(key)
    if (!k) return undefined
    this.kept.delete(key)
    if (k.version !== version) {
      this.bytes -= k.bytes
      return undefined
    }
    this.kept.set(key, k)
    this.touch()
    return k.cols as T
  }

  put(key: string, version: number, bytes: number, cols: unknown): void {
    const old = this.kept.get(key)
    if (old) {
      this.kept.delete(key)
      this.bytes -= old.bytes
    }
    if (bytes > this.cap) return
    this.kept.set(key, { version, bytes, cols })
    this.bytes += bytes
    for (const [k, v] of this.kept) {
      if (this.bytes <= this.cap) break
      this.kept.delete(k)
      this.bytes -= v.bytes
    }
    this.touch()
  }

  /**
   * As `put`, but only while the cache has room without letting anything go: for chunks
   * read in the same order every time, where the least recent is the next one wanted.
   */
  putIfRoom(key: string, version: number, bytes: number, cols: unknown): void {
    const old = this.kept.get(key)
    if (this.bytes - (old?.bytes ?? 0) + bytes <= this.cap) this.put(key, version, bytes, cols)
  }

  /** Bytes kept now. */
  get size(): number {
    return this.bytes
  }

  clear(): void {
    this.kept.clear()
    this.bytes = 0
    if (this.idle) clearTimeout(this.idle)
    this.idle = null
  }

  private touch(): void {
    if (this.idle) this.idle.refresh()
    else {
      this.idle = setTimeout(() => this.clear(), IDLE_MS)
      this.idle.unref()
    }
  }
}

const caches = new WeakMap<Database.Database, ChunkCache>()

/**
 * The chunk cache of a connection (made on first use).
 *
 * @example
 * const cols = chunkCache(db).get<SessionColumns>(`session\nshop\n20390`, rowid)
 */
export function chunkCache(db: Database.Database): ChunkCache {
  let c = caches.get(db)
  if (!c) caches.set(db, (c = new ChunkCache()))
  return c
}
