// Errors Node's HTTP parser raises before any route runs (a 20 KB header, a raw 0xFF in
// the path, a request that took longer than requestTimeout): Fastify answers them with a
// bare status line, without the security headers every other response carries. This
// answers them with the same headers and error body as the rest of the API.
import type { Socket } from 'node:net';
import type { ErrorCode } from '../domain/errors.ts';
import { errorBody } from './http-errors.ts';
import { SECURITY_HEADERS } from './security.ts';

function classify(code: string | undefined): { status: number; code: ErrorCode; message: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'TIMEOUT', message: 'the request did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'LIMIT', message: 'the request headers are larger than the server accepts' };
    default:
      return { status: 400, code: 'BAD_INPUT', message: 'the request is not valid HTTP' };
  }
}

/** The raw response for a client error, ready to write to the socket. */
function clientErrorResponse(errCode: string | undefined): string {
  const c = classify(errCode);
  const b = errorBody(c.status, c.code, c.message);
  const body = JSON.stringify(b);
  const headers = Object.entries({
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `HTTP/1.1 ${c.status} ${b.error}\r\n${headers.join('')}\r\n${body}`;
}

/** Fastify's clientErrorHandler: answer if the socket can still take it, then close it. */
export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way (a slow download timing out) cannot get a second status line.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) socket.end(clientErrorResponse(err.code));
  else socket.destroy(err);
}
