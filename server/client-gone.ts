// A signal that fires when the client hangs up before its answer is complete, so the
// query pool can drop or stop the work nobody waits for any more.
import type { FastifyReply } from 'fastify';

export function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  const res = reply.raw;
  // 'close' also follows a completed response; only an unfinished one means the client left.
  res.once('close', () => {
    if (!res.writableFinished) ac.abort(new Error('the client closed the connection'));
  });
  return ac.signal;
}
