// Workers whose work can wait (building the knowledge index, loading scenario files) yield
// the cores to the thread that answers HTTP and to the query processes (server/query-process.ts).
import { setPriority } from 'node:os';

// Below the query processes (5): a first search is answered before the index is built.
const BACKGROUND_NICE = 10;

/**
 * Lowers the calling worker thread's priority. On Linux a thread's nice value is its own,
 * so the request thread keeps its priority; elsewhere setpriority() would lower the whole
 * process, so nothing is changed there.
 */
export function yieldToRequests(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(BACKGROUND_NICE);
  } catch {
    // not permitted: nothing lost but the yielding
  }
}
