// One error body for every failure the API reports, whoever raised it: our own
// LoregraphErrors, Fastify's validation and routing errors, and anything unexpected.
// Scripts match on `code` (from errors.ts), people read `message`.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { ERRORS, isLoregraphError, type ErrorCode, type LoregraphError } from '../domain/errors.ts';
import { isSimError, type SimErrorCode } from '../sim/errors.ts';

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
  /** An AMBIGUOUS error's ids, for a script to choose from (the message names them for people). */
  candidates?: string[];
}

export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(ERRORS) },
    error: { type: 'string' },
    message: { type: 'string' },
    candidates: { type: 'array', items: { type: 'string' }, description: 'what an ambiguous abbreviated id could name' },
  },
} as const;

export function errorBody(statusCode: number, code: ErrorCode, message: string): ErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** Limits broken by a validation keyword are LIMIT errors; other bad input is USAGE. */
const LIMIT_KEYWORDS = new Set(['maximum', 'maxLength', 'maxItems', 'maxProperties', 'exclusiveMaximum']);

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function describeValidation(context: string | undefined, issues: ValidationIssue[]): { code: ErrorCode; message: string } {
  const first = issues[0];
  if (!first) return { code: 'USAGE', message: 'invalid request' };
  const where = context ?? 'request';
  const missing = first.params['missingProperty'];
  const extra = first.params['additionalProperty'];
  const name =
    typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const what =
    typeof extra === 'string' ? 'is not a known parameter' : typeof missing === 'string' ? 'is required' : (first.message ?? 'is invalid');
  const code: ErrorCode = LIMIT_KEYWORDS.has(first.keyword) ? 'LIMIT' : 'USAGE';
  const param = name === '' ? where : `${where} parameter '${name}'`;
  return { code, message: `${param} ${what}` };
}

/** Fastify's own error codes that are the client's doing. */
function fastifyClientError(e: FastifyError): { status: number; code: ErrorCode } | undefined {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'LIMIT' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'BAD_INPUT' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'BAD_INPUT' };
    default:
      break;
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code: ErrorCode = e.statusCode === 404 ? 'NOT_FOUND' : e.statusCode === 413 || e.statusCode === 414 ? 'LIMIT' : 'BAD_INPUT';
    return { status: e.statusCode, code };
  }
  return undefined;
}

/** The simulator keeps its own error codes (sim/ depends on nothing of ours); mapped here. */
const SIM_CODES: Record<SimErrorCode, ErrorCode> = {
  SIM_NOT_FOUND: 'NOT_FOUND',
  SIM_INVALID: 'SCENARIO_INVALID',
  SIM_USAGE: 'USAGE',
  // Only a posted witness can fail to replay (the explorer checks its own): the client's input.
  SIM_REPLAY: 'BAD_INPUT',
};

/** The candidates an error names, when it is an ambiguous id's. */
function candidatesOf(e: LoregraphError): string[] | undefined {
  const c = e.details?.['candidates'];
  return Array.isArray(c) && c.every((x) => typeof x === 'string') ? c : undefined;
}

export function toErrorBody(e: unknown): ErrorBody {
  if (isLoregraphError(e)) {
    const candidates = candidatesOf(e);
    return { ...errorBody(e.httpStatus, e.code, e.message), ...(candidates ? { candidates } : {}) };
  }
  if (isSimError(e)) {
    const code = SIM_CODES[e.code];
    return errorBody(ERRORS[code].http, code, e.message);
  }
  const fe = e as FastifyError & { validation?: ValidationIssue[] };
  if (fe && Array.isArray(fe.validation)) {
    const { code, message } = describeValidation(fe.validationContext, fe.validation);
    return errorBody(400, code, message);
  }
  if (e instanceof SyntaxError && (e as FastifyError).statusCode === 400) return errorBody(400, 'BAD_INPUT', `malformed JSON body: ${e.message}`);
  const client = fe ? fastifyClientError(fe) : undefined;
  if (client) return errorBody(client.status, client.code, fe.message);
  // Unexpected failures never leak their internals (paths, SQL) to the client.
  return errorBody(500, 'INTERNAL', 'internal error');
}

export function handleError(e: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const body = toErrorBody(e);
  if (body.statusCode >= 500) req.log.error({ err: e }, 'request failed');
  // A failure after a streamed body started cannot change the status any more.
  if (reply.sent) return;
  // A busy pool says when a retry is worth it (server/query-pool.ts).
  if (isLoregraphError(e) && e.code === 'BUSY') void reply.header('retry-after', String(e.details?.['retryAfterSeconds'] ?? 1));
  void reply.status(body.statusCode).type('application/json; charset=utf-8').send(body);
}
