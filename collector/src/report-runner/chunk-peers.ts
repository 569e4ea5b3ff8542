/**
 * The report workers of one pool share the chunks they read (`store/chunk-cache.ts`): each
 * decoded chunk's columns are views on shared memory, posted on a channel of the pool's own.
 * Worker threads share one address space, so a chunk one worker paged in costs the others
 * nothing: no second read from SQLite, no second copy faulted into fresh memory.
 */
import { BroadcastChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import type { ChunkPeers, SharedChunk } from '../store/chunk-cache.ts'

/**
 * The peers on channel `name` (every worker of a pool opens the same name).
 *
 * @example
 * chunkCache(db).sharedWith(chunkPeers('funnelbeam-chunks:1'))
 */
export function chunkPeers(name: string): ChunkPeers {
  const channel = new BroadcastChannel(name)
  // The channel never keeps a worker alive: the pool's own port does.
  channel.unref()
  return {
    publish: (c) => channel.postMessage(c),
    // Taken from the queue at once, while a report runs: the others' chunks of the same read
    // arrive while this thread is busy with it (messages are queued across threads, and only
    // their delivery as events waits for an idle loop).
    receive() {
      // Node takes a BroadcastChannel here too (since 15.4); its types name only MessagePort.
      const port = channel as unknown as MessagePort
      const out: SharedChunk[] = []
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) out.push(m.message as SharedChunk)
      return out
    },
    listen(take) {
      channel.onmessage = (e: unknown) => take((e as { data: SharedChunk }).data)
    },
  }
}
