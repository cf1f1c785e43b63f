import { createStore, del, set, values } from "idb-keyval";
import { memoryStore, type QueueEntry, type QueueStore } from "./queue";

/**
 * The queue's store in IndexedDB, one database per signed-in user: entries typed by one person are
 * never sent under the session of the next person who signs in on the same phone. Entries are
 * kept one per key (the clientKey), so two tabs writing at once never overwrite each other's.
 * Without IndexedDB (very old browsers, some private modes) entries live in memory only and
 * `persistent` is false. `name` separates queues of one user: "offline" for typed entries,
 * "photos" for the photos waiting to be uploaded (Blobs, stored as they are).
 */
export function idbQueueStore(userId: string, name: "offline" | "photos" = "offline"): QueueStore & { persistent: boolean } {
  if (typeof indexedDB === "undefined") return { ...memoryStore(), persistent: false };
  const store = createStore(`ecomate-${name}-${userId}`, "entries");
  return {
    persistent: true,
    all: () => values<QueueEntry>(store),
    put: (entry) => set(entry.clientKey, entry, store),
    delete: (clientKey) => del(clientKey, store),
  };
}
