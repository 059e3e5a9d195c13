// Bounded read work off the request thread: a few child processes, each with its own
// read-only connection, run the jobs of server/query-jobs.ts. Every job has
//   - a place in a bounded queue: beyond `maxQueue` waiting jobs the answer is BUSY (503,
//     Retry-After), not an ever longer wait for everyone;
//   - a deadline from the moment it was asked: still waiting then, it is BUSY; still
//     running, its process is killed (SIGKILL stops SQLite mid-statement, which nothing
//     else can: better-sqlite3 has no interrupt) and replaced, and the answer is TIMEOUT (504);
//   - a cancel: a client that hangs up takes its job out of the queue, or, when it is
//     already running and still is `cancelGraceMs` later, has its process killed. The
//     grace keeps search-as-you-type (each keystroke aborts the last request) from
//     restarting a process for every cheap query a user typed past.
import type { ChildProcess } from 'node:child_process';
import { LoregraphError } from '../domain/errors.ts';
import type { QueryJob, ResultOf } from './query-jobs.ts';
import type { QueryReply, QueryRequest } from './query-process.ts';

export interface QueryPoolOptions {
  /** Processes running jobs (each runs one at a time). */
  size: number;
  /** From asking to answer, queue time included. */
  deadlineMs: number;
  /** Jobs allowed to wait for a process. */
  maxQueue: number;
  /** How long a running job whose client left may finish before its process is killed. */
  cancelGraceMs: number;
  /** Starts one query process (ready to take jobs). */
  start: () => Promise<ChildProcess>;
}

export interface QueryPoolStats {
  queued: number;
  running: number;
  /** Processes killed because a job overran its deadline or its client left. */
  killed: number;
  /** Jobs refused because the queue was full or did not reach them in time. */
  busy: number;
  timedOut: number;
  cancelled: number;
}

export interface QueryPool {
  run<J extends QueryJob>(job: J, signal?: AbortSignal): Promise<ResultOf<J>>;
  stats(): QueryPoolStats;
  /** Resolves once the processes being started now have started (or failed to). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

interface Task {
  id: number;
  job: QueryJob;
  resolve: (r: unknown) => void;
  reject: (e: Error) => void;
  deadline: NodeJS.Timeout;
  startedAt: number;
  settled: boolean;
  cleanup: () => void;
}

interface Slot {
  child: ChildProcess | null;
  task: Task | null;
  starting: Promise<void> | null;
}

/** The time a job would wait at the back of the queue, from recent service times; at least a second. */
function retryAfterSeconds(queued: number, size: number, meanMs: number): number {
  return Math.max(1, Math.ceil((queued * meanMs) / Math.max(1, size) / 1000));
}

export function createQueryPool(opts: QueryPoolOptions): QueryPool {
  const queue: Task[] = [];
  const slots: Slot[] = Array.from({ length: Math.max(1, opts.size) }, () => ({ child: null, task: null, starting: null }));
  const counts = { killed: 0, busy: 0, timedOut: 0, cancelled: 0 };
  let seq = 0;
  let closed = false;
  // Mean service time (exponentially weighted), for Retry-After.
  let meanMs = 100;

  const settle = (t: Task, e: Error | null, result?: unknown): void => {
    if (t.settled) return;
    t.settled = true;
    clearTimeout(t.deadline);
    t.cleanup();
    if (e) t.reject(e);
    else t.resolve(result);
  };

  /** Stops the slot's process mid-job; its exit starts a successor. Detached first, so no new job is sent to it meanwhile. */
  const kill = (slot: Slot): void => {
    counts.killed++;
    const child = slot.child;
    slot.child = null;
    slot.task = null;
    child?.kill('SIGKILL');
  };

  const attach = (slot: Slot, child: ChildProcess): void => {
    slot.child = child;
    child.on('message', (m: QueryReply) => {
      if (slot.child !== child) return;
      const t = slot.task;
      if (!t || t.id !== m.id) return;
      slot.task = null;
      meanMs = 0.8 * meanMs + 0.2 * (performance.now() - t.startedAt);
      if (!m.error) settle(t, null, m.result);
      else settle(t, m.error.code ? new LoregraphError(m.error.code, m.error.message, m.error.details) : new LoregraphError('INTERNAL', `query failed: ${m.error.message}`));
      pump();
    });
    child.once('exit', (code, signal) => {
      if (slot.child !== child) {
        // killed by the pool, which already answered its job
        if (!closed && !slot.child) void startSlot(slot);
        return;
      }
      const t = slot.task;
      slot.task = null;
      slot.child = null;
      if (t) settle(t, new LoregraphError('INTERNAL', `the query process exited (${signal ?? code}) while answering`));
      if (!closed) void startSlot(slot);
    });
  };

  const startSlot = (slot: Slot): Promise<void> => {
    slot.starting ??= opts
      .start()
      .then(
        (child) => {
          if (closed) child.kill('SIGKILL');
          else attach(slot, child);
        },
        (e: unknown) => {
          // Nothing can answer while no process starts: the waiting jobs learn why now, not at their deadline.
          if (slots.every((s) => s.child === null)) {
            const why = e instanceof Error ? e.message : String(e);
            for (const t of queue.splice(0)) settle(t, new LoregraphError('INTERNAL', `no query process could start: ${why}`));
          }
        },
      )
      .finally(() => {
        slot.starting = null;
        pump();
      });
    return slot.starting;
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (!slot.child || slot.task) continue;
      const t = queue.shift() as Task;
      slot.task = t;
      t.startedAt = performance.now();
      slot.child.send({ ...t.job, id: t.id } satisfies QueryRequest);
    }
  };

  const slotOf = (t: Task): Slot | undefined => slots.find((s) => s.task === t);

  for (const s of slots) void startSlot(s);

  return {
    run<J extends QueryJob>(job: J, signal?: AbortSignal): Promise<ResultOf<J>> {
      if (closed) return Promise.reject(new LoregraphError('INTERNAL', 'the query pool is closed'));
      if (signal?.aborted) return Promise.reject(new Error('cancelled: the client left'));
      if (queue.length >= opts.maxQueue) {
        counts.busy++;
        const retry = retryAfterSeconds(queue.length, slots.length, meanMs);
        return Promise.reject(
          new LoregraphError('BUSY', `the server is busy: ${queue.length} searches are already waiting; try again in ${retry} s`, { retryAfterSeconds: retry }),
        );
      }
      // A slot lost to a failed start gets another try now that there is work for it.
      for (const s of slots) if (!s.child && !s.starting) void startSlot(s);
      return new Promise<ResultOf<J>>((resolve, reject) => {
        const t: Task = {
          id: ++seq,
          job,
          resolve: resolve as (r: unknown) => void,
          reject,
          startedAt: 0,
          settled: false,
          cleanup: () => {},
          deadline: setTimeout(() => {
            const slot = slotOf(t);
            if (slot) {
              counts.timedOut++;
              settle(t, new LoregraphError('TIMEOUT', `the ${job.kind} took longer than the ${opts.deadlineMs} ms it is allowed and was stopped: narrow the query`));
              kill(slot);
              return;
            }
            const i = queue.indexOf(t);
            if (i >= 0) queue.splice(i, 1);
            counts.busy++;
            const retry = retryAfterSeconds(queue.length, slots.length, meanMs);
            settle(t, new LoregraphError('BUSY', `the server is busy: the ${job.kind} waited ${opts.deadlineMs} ms without starting; try again in ${retry} s`, { retryAfterSeconds: retry }));
          }, opts.deadlineMs),
        };
        if (signal) {
          let grace: NodeJS.Timeout | undefined;
          const onAbort = (): void => {
            counts.cancelled++;
            const i = queue.indexOf(t);
            if (i >= 0) {
              queue.splice(i, 1);
              settle(t, new Error('cancelled: the client left'));
              return;
            }
            grace = setTimeout(() => {
              const slot = slotOf(t);
              if (!slot) return;
              settle(t, new Error('cancelled: the client left'));
              kill(slot);
            }, opts.cancelGraceMs);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          t.cleanup = () => {
            signal.removeEventListener('abort', onAbort);
            clearTimeout(grace);
          };
        }
        queue.push(t);
        pump();
      });
    },
    ready: async () => {
      await Promise.all(slots.map((s) => s.starting));
    },
    stats: () => ({ queued: queue.length, running: slots.filter((s) => s.task).length, ...counts }),
    async close() {
      closed = true;
      for (const t of queue.splice(0)) settle(t, new LoregraphError('INTERNAL', 'the server is shutting down'));
      await Promise.all(slots.map((s) => s.starting));
      await Promise.all(
        slots.map(async (s) => {
          const child = s.child;
          if (!child) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGKILL');
          await exited;
        }),
      );
    },
  };
}
