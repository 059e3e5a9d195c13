// How far V8 lets the main thread's heap grow past what a collection left alive before it
// collects again. By default it grows it up to several times over (a factor V8 picks between
// 1.1 and 4 from how fast it collects), which costs nothing while little is alive, as while
// messages are stored. The end-of-run passes keep more alive (the thread pass's families:
// about 100 MB at a million messages), and their garbage piled up to three and four times
// that before a collection: a generated 300k archive peaked at 403 MB in the passes after
// 313 MB for the load, its 1M archive at 581 MB against 372 MB at 100k. Growing by at most
// 30% past the live heap, the same 300k ingest peaked at 278-291 MB, in the load, at the
// same speed (1,499-1,516 against 1,342 msg/s in runs minutes apart). One V8 flag,
// process-wide, read at each collection: set by the batch commands (`loregraph ingest`,
// `knowledge`), not by a server that ingests.
import { setFlagsFromString } from 'node:v8';

/** Heap growth past the live size, in percent, for a batch ingest. */
export const BATCH_HEAP_GROWING_PERCENT = 30;

/** Keeps the heap of a batch process within BATCH_HEAP_GROWING_PERCENT of what is alive (V8 reads the flag at each collection). */
export function tightenHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${BATCH_HEAP_GROWING_PERCENT}`);
}
