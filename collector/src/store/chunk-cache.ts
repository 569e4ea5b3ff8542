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
 * a read, as the scratch arrays are (`scratch.ts`), unless the worker keeps its report
 * memory for good (`keepReportMemory`).
 *
 * Report workers of one process can share what they read (`ChunkPeers`): a chunk is then
 * copied into shared memory and handed to the others, so each chunk is read from SQLite and
 * paged in once per process, not once per worker. Two workers splitting one funnel each read
 * about half of its chunks (`turnOrder`) and find the other half handed over.
 */
import type Database from 'better-sqlite3'
import { reportMemoryIdleMs } from './scratch.ts'

/** What one connection keeps at most (times the workers that share it: `sharedWith`). */
export const CHUNK_CACHE_BYTES = 192 * 2 ** 20
/**
 * Chunks another worker handed over that this cache has no room for are held apart, up to
 * this many bytes, until read once: two workers splitting a funnel read while both caches
 * are full would otherwise each read every chunk the other read for it.
 */
const HANDED_BYTES = 32 * 2 ** 20

/** A chunk handed between the report workers of one process: its columns are views on shared memory. */
export interface SharedChunk {
  key: string
  version: number
  bytes: number
  cols: unknown
  /** Whether the reader let older chunks go for it (`put`), or kept it only while there was room (`putIfRoom`). */
  evicting: boolean
}

/**
 * The other report workers of this process (`report-runner/chunk-peers.ts`): chunks this
 * cache reads go to them, and theirs come here, taken as they arrive (`listen`, while the
 * thread is idle) and before each lookup (`receive`, while a report runs).
 */
export interface ChunkPeers {
  publish(c: SharedChunk): void
  receive(): SharedChunk[]
  listen(take: (c: SharedChunk) => void): void
}

/** What a cache did since it was made: what the tests of sharing check, and what a profile of reads wants to know. */
export interface ChunkCacheStats {
  /** Bytes kept now. */
  keptBytes: number
  /** Bytes read from SQLite into the cache's reads. */
  readBytes: number
  /** Chunks other workers handed over. */
  received: number
}

interface Kept {
  version: number
  bytes: number
  cols: unknown
}

export class ChunkCache {
  // A Map iterates in insertion order: re-inserting on each read keeps the least recent first.
  private readonly kept = new Map<string, Kept>()
  private bytes = 0
  private readonly handed = new Map<string, Kept>()
  private handedBytes = 0
  private idle: NodeJS.Timeout | null = null
  private peers: ChunkPeers | null = null
  private readBytes = 0
  private received = 0

  constructor(private cap = CHUNK_CACHE_BYTES) {}

  /**
   * Shares this cache's chunks with other report workers' caches from now on, `workers` in
   * all. Every chunk one of them keeps is handed to the others, which keep it alike, so their
   * caches hold mostly the same memory: each may hold what all of them together held apart
   * (at 10M events, two workers' caches of 384 MB against 192 MB each: the glob + properties
   * funnel warm in the bench's order 395-405 -> 274-299 ms, strict 230-236 -> 186-191).
   */
  sharedWith(peers: ChunkPeers, workers = 1): void {
    this.cap *= workers
    this.peers = peers
    peers.listen((c) => this.take(c))
  }

  /**
   * A blob read from SQLite, as the memory its columns will view: copied into shared memory
   * where other workers share this cache's chunks, so the views can be handed over.
   */
  memoryOf(blob: Uint8Array): Uint8Array {
    this.readBytes += blob.byteLength
    if (!this.peers) return blob
    const shared = new Uint8Array(new SharedArrayBuffer(blob.byteLength))
    shared.set(blob)
    return shared
  }

  /** The columns kept for `key` at `version`, or undefined (a kept older version is dropped). */
  get<T>(key: string, version: number): T | undefined {
    if (this.peers) for (const c of this.peers.receive()) this.take(c)
    const k = this.kept.get(key)
    if (!k) return this.handedOver(key, version)
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
    this.keep(key, version, bytes, cols)
    this.peers?.publish({ key, version, bytes, cols, evicting: true })
  }

  /**
   * As `put`, but only while the cache has room without letting anything go: for chunks
   * read in the same order every time, where the least recent is the next one wanted.
   */
  putIfRoom(key: string, version: number, bytes: number, cols: unknown): void {
    if (this.hasRoom(key, bytes)) this.keep(key, version, bytes, cols)
    // Another worker may have room for it.
    this.peers?.publish({ key, version, bytes, cols, evicting: false })
  }

  stats(): ChunkCacheStats {
    return { keptBytes: this.bytes, readBytes: this.readBytes, received: this.received }
  }

  /** A chunk another worker read: kept as that worker kept it, unless a newer version is kept; else held apart. */
  private take(c: SharedChunk): void {
    this.received++
    const old = this.kept.get(c.key)
    if (old && old.version >= c.version) return
    if (c.evicting || this.hasRoom(c.key, c.bytes)) return this.keep(c.key, c.version, c.bytes, c.cols)
    if (c.bytes > HANDED_BYTES) return
    this.dropHanded(c.key)
    this.handed.set(c.key, { version: c.version, bytes: c.bytes, cols: c.cols })
    this.handedBytes += c.bytes
    for (const k of this.handed.keys()) {
      if (this.handedBytes <= HANDED_BYTES) break
      this.dropHanded(k)
    }
  }

  /** A chunk held apart (`take`), given once. */
  private handedOver<T>(key: string, version: number): T | undefined {
    const h = this.handed.get(key)
    if (!h) return undefined
    this.dropHanded(key)
    return h.version === version ? (h.cols as T) : undefined
  }

  private dropHanded(key: string): void {
    const h = this.handed.get(key)
    if (!h) return
    this.handed.delete(key)
    this.handedBytes -= h.bytes
  }

  private hasRoom(key: string, bytes: number): boolean {
    return this.bytes - (this.kept.get(key)?.bytes ?? 0) + bytes <= this.cap
  }

  private keep(key: string, version: number, bytes: number, cols: unknown): void {
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

  /** Bytes kept now. */
  get size(): number {
    return this.bytes
  }

  clear(): void {
    this.kept.clear()
    this.bytes = 0
    this.handed.clear()
    this.handedBytes = 0
    if (this.idle) clearTimeout(this.idle)
    this.idle = null
  }

  private touch(): void {
    if (this.idle) this.idle.refresh()
    else if (reportMemoryIdleMs() !== Infinity) {
      this.idle = setTimeout(() => this.clear(), reportMemoryIdleMs())
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

/** Which of `of` report workers splitting one read this one is (a `VisitorShare`'s part and count). */
export interface ReadTurn {
  part: number
  of: number
}

/**
 * Indices 0..n-1 in the order a report worker reads a list of chunks: its turn's own first
 * (i % of = part), then the rest. Workers splitting one read start on different chunks and,
 * reading at about the same pace, find most of the rest handed over by the others.
 *
 * @example
 * turnOrder(5, { part: 1, of: 2 }) // [1, 3, 0, 2, 4]
 */
export function turnOrder(n: number, turn: ReadTurn | null): number[] {
  const all = Array.from({ length: n }, (_, i) => i)
  if (!turn || turn.of < 2) return all
  return [...all.filter((i) => i % turn.of === turn.part), ...all.filter((i) => i % turn.of !== turn.part)]
}
