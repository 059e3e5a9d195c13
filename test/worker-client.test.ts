import { afterEach, describe, expect, it } from 'vitest';
import { workerClient, type WorkerClient } from '../server/worker-client.ts';
import type { EchoReply, EchoRequest } from './fixtures/worker/echo-worker.ts';

const ENTRY = new URL('./fixtures/worker/echo-worker.ts', import.meta.url);

describe('workerClient', () => {
  let client: WorkerClient<EchoRequest, EchoReply> | null = null;
  const open = (): WorkerClient<EchoRequest, EchoReply> => (client = workerClient<EchoRequest, EchoReply>(ENTRY, { name: 'echo' }));
  afterEach(async () => {
    await client?.close();
    client = null;
  });

  it('gives each request the reply carrying its id, whatever order the replies come in', async () => {
    const c = open();
    const [slow, fast] = await Promise.all([c.request({ op: 'echo', value: 'slow' }), c.request({ op: 'echo', value: 'fast' })]);
    expect(slow.value).toBe('slow');
    expect(fast.value).toBe('fast');
    expect(slow.thread).toBe(fast.thread);
  }, 30_000);

  it('fails the requests of a worker that throws with an error naming it, and starts a new worker for the next', async () => {
    const c = open();
    const first = await c.request({ op: 'echo', value: 'a' });
    const pending = expect(c.request({ op: 'hang' })).rejects.toThrow(/echo worker failed/);
    await expect(c.request({ op: 'throw' })).rejects.toThrow(/^echo worker failed: the fixture was told to throw/);
    await pending;
    const after = await c.request({ op: 'echo', value: 'b' });
    expect(after.value).toBe('b');
    expect(after.thread).not.toBe(first.thread);
  }, 30_000);

  it('fails the requests of a worker that exits, and starts a new worker for the next', async () => {
    const c = open();
    const first = await c.request({ op: 'echo', value: 'a' });
    await expect(c.request({ op: 'exit' })).rejects.toThrow('echo worker exited (code 3)');
    const after = await c.request({ op: 'echo', value: 'b' });
    expect(after.thread).not.toBe(first.thread);
  }, 30_000);

  it('rejects a request unanswered past its timeout with the error asked for, and replaces the worker', async () => {
    const c = open();
    const first = await c.request({ op: 'echo', value: 'a' });
    await expect(c.request({ op: 'hang' }, { timeoutMs: 100, timeoutError: () => new Error('too slow') })).rejects.toThrow('too slow');
    const after = await c.request({ op: 'echo', value: 'b' });
    expect(after.thread).not.toBe(first.thread);
  }, 30_000);

  it('close() ends the worker and rejects what was still waiting', async () => {
    const c = open();
    await c.request({ op: 'echo', value: 'a' });
    const pending = expect(c.request({ op: 'hang' })).rejects.toThrow('echo worker closed');
    await c.close();
    await pending;
  }, 30_000);

  it('reports a worker that cannot start as an internal error, and tries again on the next request', async () => {
    let starts = 0;
    const c = (client = workerClient<EchoRequest, EchoReply>(ENTRY, {
      name: 'echo',
      start: async () => {
        starts++;
        throw new Error('no such module');
      },
    }));
    await expect(c.request({ op: 'echo', value: 'a' })).rejects.toMatchObject({ code: 'INTERNAL', message: 'echo worker: no such module' });
    await expect(c.request({ op: 'echo', value: 'a' })).rejects.toThrow('no such module');
    expect(starts).toBe(2);
  });
});
