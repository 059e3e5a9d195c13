// Patches and the stable process: a series with all its versions and trailers, a fix's
// status on every stable branch, and everything seen for one branch. The answers come
// from db/series.ts and db/stable.ts; this file is their HTTP face.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { getSeries, type SeriesPatchView, type SeriesVersionView, type SeriesView, type TrailerView } from '../../db/series.ts';
import { schemaCovers } from '../schema-covers.ts';
import { getFixStatus, listStableBranch, normalizeBranch, stableMatrix, type FixInfo, type FixLink, type MatrixCell } from '../../db/stable.ts';
import { STATUSES, type BranchStatus, type StableStatus, type TimelineEvent } from '../../domain/patch/stable-status.ts';
import type { RouteContext } from '../context.ts';
import { messageIdParam, midParamsSchema } from '../message-id.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { flagSchema, isOn, type Flag } from '../flags.ts';

const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;

const trailerSchema = {
  type: 'object',
  required: ['name', 'value', 'person', 'commit', 'url', 'givenIn', 'followup', 'fromCover', 'carriedFrom'],
  properties: {
    name: str,
    value: str,
    person: { anyOf: [{ type: 'object', required: ['name', 'email'], properties: { name: str, email: str } }, { type: 'null' }] },
    commit: nstr,
    url: nstr,
    givenIn: { type: 'string', description: 'Message-ID of the mail the trailer was written in' },
    followup: { type: 'boolean', description: 'given in a reply rather than in the patch' },
    fromCover: { type: 'boolean', description: 'given on the cover letter: applies to every patch' },
    carriedFrom: { ...nstr, description: "the earlier version's patch mail it was given on, its patch-id unchanged (carried forward as b4 does)" },
  },
} as const;

export const seriesSchema = {
  type: 'object',
  required: ['title', 'requested', 'versions'],
  properties: {
    title: str,
    requested: { type: 'string', description: 'the version the asked-for message belongs to' },
    versions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'version', 'title', 'sender', 'coverMessageId', 'total', 'date', 'changeId', 'superseded', 'amends', 'coverTrailers', 'patches'],
        properties: {
          id: { type: 'integer' },
          version: str,
          title: str,
          sender: nstr,
          coverMessageId: nstr,
          total: { type: ['integer', 'null'] },
          date: nstr,
          changeId: nstr,
          superseded: { type: 'boolean' },
          amends: nstr,
          coverTrailers: { type: 'array', items: trailerSchema },
          patches: {
            type: 'array',
            items: {
              type: 'object',
              required: ['index', 'messageId', 'subject', 'patchId', 'previousMessageId', 'match', 'trailers'],
              properties: {
                index: { type: 'integer' },
                messageId: str,
                subject: str,
                patchId: nstr,
                previousMessageId: { ...nstr, description: 'the same patch in the previous version' },
                match: { ...nstr, description: 'how previousMessageId was matched' },
                trailers: { type: 'array', items: trailerSchema },
              },
            },
          },
        },
      },
    },
  },
} as const;

const fixInfoSchema = {
  type: 'object',
  required: ['key', 'upstreamCommit', 'title', 'author', 'patchMessageId', 'patchMatch'],
  properties: {
    key: str,
    upstreamCommit: nstr,
    title: str,
    author: { anyOf: [{ type: 'object', required: ['name', 'email'], properties: { name: nstr, email: nstr } }, { type: 'null' }] },
    patchMessageId: nstr,
    patchMatch: nstr,
  },
} as const;

const statusEnum = { type: 'string', enum: [...STATUSES] } as const;

const releaseSchema = {
  type: 'object',
  required: ['state'],
  description: "whether a release carries the fix: 'released' (from an announcement, a CVE mail or the stable git tree), 'not-yet' (the git tree was read up to asOf), or 'unknown'",
  properties: {
    state: { type: 'string', enum: ['released', 'not-yet', 'unknown'] },
    version: nstr,
    source: str,
    asOf: str,
  },
} as const;

const timelineEventSchema = {
  type: 'object',
  required: ['status', 'kind', 'messageId', 'date', 'sender', 'sentence', 'rawRange', 'version'],
  properties: {
    status: statusEnum,
    kind: { type: 'string', description: "what made it: a stable mail kind, 'cc-stable', a reply's 'queue'/'drop'/'withdraw', or 'git'" },
    messageId: { ...nstr, description: 'the mail (null for a release read from the stable git tree)' },
    date: nstr,
    sender: nstr,
    sentence: { ...nstr, description: 'the words that made the event, as written' },
    rawRange: { ...nstr, description: 'a Cc: stable wish\'s range as written ("4.14+"; "" for a bare tag)' },
    version: nstr,
  },
} as const;

const branchStatusSchema = {
  type: 'object',
  required: ['status', 'evidence', 'since', 'firstDate', 'lastDate', 'rc', 'version', 'release', 'history'],
  properties: {
    status: statusEnum,
    evidence: { type: 'array', items: str, description: 'Message-IDs of the deciding event and the same status since, oldest first' },
    since: { ...nstr, description: 'date of the deciding event' },
    firstDate: nstr,
    lastDate: nstr,
    rc: nstr,
    version: nstr,
    base: { ...nstr, description: 'the newest X-stable-base a mail on the branch gave' },
    release: releaseSchema,
    history: { type: 'array', items: timelineEventSchema, description: 'every event on the branch, oldest first' },
  },
} as const;

const fixLinkSchema = {
  type: 'object',
  required: ['messageId', 'role', 'how'],
  properties: {
    messageId: str,
    role: { type: 'string', description: "'patch' (a version of the patch mail) or 'stable' (a stable-process mail)" },
    how: { type: 'string', description: "how it was joined: 'commit', 'patch-id', 'subject+author', 'subject', 'series', 'self' or 'reply'" },
  },
} as const;

const matrixCellSchema = {
  type: 'object',
  required: ['status', 'since', 'evidence', 'release'],
  properties: { status: statusEnum, since: nstr, evidence: { type: 'array', items: str }, release: releaseSchema },
} as const;

schemaCovers<typeof branchStatusSchema, BranchStatus>(true);
schemaCovers<typeof fixInfoSchema, FixInfo>(true);
schemaCovers<typeof timelineEventSchema, TimelineEvent>(true);
schemaCovers<typeof fixLinkSchema, FixLink>(true);
schemaCovers<typeof matrixCellSchema, MatrixCell>(true);
schemaCovers<typeof seriesSchema, SeriesView>(true);
schemaCovers<typeof seriesSchema.properties.versions.items, SeriesVersionView>(true);
schemaCovers<typeof seriesSchema.properties.versions.items.properties.patches.items, SeriesPatchView>(true);
schemaCovers<typeof trailerSchema, TrailerView>(true);

type Iso = string | null;
const iso = (d: number | null): Iso => (d === null ? null : new Date(d).toISOString());

export interface BranchStatusView extends Omit<BranchStatus, 'history' | 'since' | 'firstDate' | 'lastDate'> {
  since: Iso;
  firstDate: Iso;
  lastDate: Iso;
  history: (Omit<TimelineEvent, 'date'> & { date: Iso })[];
}

/** Dates leave the API as ISO 8601 strings, as everywhere else. */
function branchStatusView(s: BranchStatus): BranchStatusView {
  return {
    ...s,
    since: iso(s.since),
    firstDate: iso(s.firstDate),
    lastDate: iso(s.lastDate),
    history: s.history.map((h) => ({ ...h, date: iso(h.date) })),
  };
}

interface MatrixQuery {
  branch?: string;
  status?: StableStatus;
  offset: number;
  limit: number;
}

interface StableQuery {
  status?: StableStatus;
  offset: number;
  limit: number;
}

interface OptionalQuery {
  optional?: Flag;
}

/**
 * ?optional=1: the page asks "has this message a series / a stable history?" of every message
 * it shows; a 404 for "no" is logged by the browser as a failed load on each of them, so the
 * question form answers "no" with 204 instead. Without it, 404 as before.
 */
const optionalQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { optional: { ...flagSchema, description: 'answer 204 No Content instead of 404 when there is none' } },
} as const;
const noContent = { type: 'null', description: 'none (with optional=1)' } as const;

function orNoContent<T>(q: OptionalQuery, reply: FastifyReply, get: () => T): T | undefined {
  if (!isOn(q.optional)) return get();
  try {
    return get();
  } catch (e) {
    if (e instanceof LoregraphError && e.code === 'NOT_FOUND') {
      void reply.code(204).send();
      return undefined;
    }
    throw e;
  }
}

export function registerPatches(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Params: { mid: string }; Querystring: OptionalQuery }>('/api/series/:mid', {
    schema: {
      summary: 'The series a message belongs to (cover, patch or reply), every version, with per-patch trailers',
      tags: ['patches'],
      params: midParamsSchema,
      querystring: optionalQuerySchema,
      response: { 200: seriesSchema, 204: noContent, 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
    },
    handler: async (req, reply) => orNoContent(req.query, reply, () => getSeries(ctx.db, messageIdParam(req.params.mid))),
  });

  app.get<{ Params: { key: string }; Querystring: OptionalQuery }>('/api/fix-status/:key', {
    schema: {
      summary: 'A fix and its status on each stable branch, by upstream commit (7+ hex digits) or any Message-ID about it',
      tags: ['stable'],
      params: {
        type: 'object',
        required: ['key'],
        properties: { key: { type: 'string', minLength: 1, description: 'upstream commit (abbreviated ok) or Message-ID' } },
      },
      querystring: optionalQuerySchema,
      response: {
        204: noContent,
        200: {
          type: 'object',
          required: ['fix', 'links', 'branches'],
          properties: {
            fix: fixInfoSchema,
            links: { type: 'array', items: fixLinkSchema, description: 'every mail joined into this fix, and how' },
            branches: { type: 'object', additionalProperties: branchStatusSchema },
          },
        },
        400: { $ref: 'ErrorBody#' },
        404: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req, reply) =>
      orNoContent(req.query, reply, () => {
        const st = getFixStatus(ctx.db, messageIdParam(req.params.key));
        const branches: Record<string, BranchStatusView> = {};
        for (const [b, s] of Object.entries(st.branches)) branches[b] = branchStatusView(s);
        return { fix: st.fix, links: st.links, branches };
      }),
  });

  // Both stable listings page the same way.
  const paging = {
    offset: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: ctx.limits.maxPageSize, default: 100 },
  } as const;

  app.get<{ Querystring: MatrixQuery }>('/api/stable', {
    schema: {
      summary: 'Every fix against every stable branch known in the data: counts per status per branch, a fix per row',
      tags: ['stable'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          branch: { type: 'string', maxLength: 16, description: 'only fixes with a cell on this branch (6.1 or 6.1.y)' },
          status: { ...statusEnum, description: 'with branch: only fixes with this status there; alone: with this status on any branch' },
          ...paging,
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['branches', 'total', 'offset', 'limit', 'fixes'],
          properties: {
            branches: {
              type: 'array',
              items: {
                type: 'object',
                required: ['branch', 'counts', 'synced'],
                properties: {
                  branch: str,
                  counts: { type: 'object', description: 'fixes per status on this branch', additionalProperties: { type: 'integer' } },
                  synced: { ...nstr, description: 'newest release read from a stable git tree (loregraph stable-sync)' },
                },
              },
            },
            total: { type: 'integer' },
            offset: { type: 'integer' },
            limit: { type: 'integer' },
            fixes: {
              type: 'array',
              items: {
                type: 'object',
                required: ['fix', 'cells'],
                properties: { fix: fixInfoSchema, cells: { type: 'object', description: 'branch -> status cell', additionalProperties: matrixCellSchema } },
              },
            },
          },
        },
        400: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      const m = stableMatrix(ctx.db);
      const branch = req.query.branch === undefined ? null : normalizeBranch(req.query.branch);
      const wanted = m.fixes.filter((f) => {
        const cells = branch === null ? Object.values(f.cells) : f.cells[branch] ? [f.cells[branch]] : [];
        return cells.length > 0 && (req.query.status === undefined || cells.some((c) => c.status === req.query.status));
      });
      const { offset, limit } = req.query;
      const fixes = wanted.slice(offset, offset + limit).map((f) => {
        const cells: Record<string, Omit<MatrixCell, 'since'> & { since: Iso }> = {};
        for (const [b, c] of Object.entries(f.cells)) cells[b] = { ...c, since: iso(c.since) };
        return { fix: f.fix, cells };
      });
      return { branches: m.branches, total: wanted.length, offset, limit, fixes };
    },
  });

  app.get<{ Params: { branch: string }; Querystring: StableQuery }>('/api/stable/:branch', {
    schema: {
      summary: 'Every fix seen for a stable branch (6.6 or 6.6.y) with its status there',
      tags: ['stable'],
      params: {
        type: 'object',
        required: ['branch'],
        properties: { branch: { type: 'string', maxLength: 16, description: 'e.g. 6.6 or 6.6.y' } },
      },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { ...statusEnum, description: 'only fixes with this status on the branch' },
          ...paging,
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['branch', 'total', 'offset', 'limit', 'fixes'],
          properties: {
            branch: str,
            total: { type: 'integer' },
            offset: { type: 'integer' },
            limit: { type: 'integer' },
            counts: { type: 'object', description: 'fixes per status on this branch', additionalProperties: { type: 'integer' } },
            fixes: {
              type: 'array',
              items: { type: 'object', required: ['fix', 'status'], properties: { fix: fixInfoSchema, status: branchStatusSchema } },
            },
          },
        },
        400: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      const branch = normalizeBranch(req.params.branch);
      const all = listStableBranch(ctx.db, branch);
      const counts: Record<string, number> = {};
      for (const f of all) counts[f.status.status] = (counts[f.status.status] ?? 0) + 1;
      const wanted = req.query.status ? all.filter((f) => f.status.status === req.query.status) : all;
      const { offset, limit } = req.query;
      const page = wanted.slice(offset, offset + limit).map((f): { fix: FixInfo; status: BranchStatusView } => ({ fix: f.fix, status: branchStatusView(f.status) }));
      return { branch, total: wanted.length, offset, limit, counts, fixes: page };
    },
  });
}
