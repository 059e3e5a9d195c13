// Message bytes a reader made for that one message, in a buffer nothing else holds or will
// read again. The pipeline moves such a buffer to a parse worker (transfer) instead of
// copying it: for a message of tens of MB the copy was as large again, and the original
// lingered until the collector got to it.
const owned = new WeakSet<ArrayBufferLike>();

/** The reader gives up `bytes`' whole buffer with the message: it keeps no view of it. */
export function markOwned(bytes: Uint8Array): void {
  owned.add(bytes.buffer);
}

/** Whether `bytes` lie in a buffer markOwned gave up, which a consumer may move. */
export function isOwned(bytes: Uint8Array): boolean {
  return owned.has(bytes.buffer);
}
