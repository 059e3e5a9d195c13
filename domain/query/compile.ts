// Turns a parsed query into a SearchPlan. User text never reaches FTS5 as syntax: every
// term becomes a double-quoted FTS5 string (quotes doubled), so `NEAR(`, `^`, `col:x`
// and friends are only ever words. Text parts are merged into one MATCH expression
// wherever the boolean structure allows, because one FTS5 query ranked by bm25 is far
// cheaper than many `rowid IN (...)` subqueries.
import type { QueryNode, Query, TermNode } from './ast.ts';
import { TEXT_FIELDS } from './fields.ts';
import { dfnQueryText } from '../search/path-terms.ts';
import type { Predicate, SearchPlan } from './plan.ts';

/** Intermediate form: a positive FTS5 expression, or a general predicate. */
type Part = { fts: string } | { pred: Predicate };

export function ftsString(text: string): string {
  // NUL would end FTS5's C-string query early; the lexer already splits on it, this is the backstop.
  return `"${text.replaceAll('\0', ' ').replaceAll('"', '""')}"`;
}

export function termToFts(t: TermNode): string {
  // dfn: looks a path up as one joined term of the dfn column (domain/search/path-terms.ts).
  const text = t.field === 'dfn' ? dfnQueryText(t.text) : t.text;
  const body = ftsString(text) + (t.prefix ? '*' : '');
  const cols = TEXT_FIELDS[t.field];
  return cols === null ? body : `{${cols.join(' ')}} : ${body}`;
}

function asPred(p: Part): Predicate {
  return 'fts' in p ? { kind: 'fts', match: p.fts } : p.pred;
}

function join(op: 'AND' | 'OR', exprs: string[]): string {
  return exprs.length === 1 ? (exprs[0] as string) : `(${exprs.join(` ${op} `)})`;
}

function compileNode(node: QueryNode): Part {
  switch (node.kind) {
    case 'term':
      return { fts: termToFts(node) };
    case 'date':
      return { pred: { kind: 'date', from: node.from, to: node.to } };
    case 'exact':
      return { pred: { kind: node.field, value: node.value } };
    case 'not':
      return { pred: { kind: 'not', child: asPred(compileNode(node.child)) } };
    case 'or': {
      const parts = node.children.map(compileNode);
      if (parts.every((p) => 'fts' in p)) return { fts: join('OR', parts.map((p) => (p as { fts: string }).fts)) };
      return { pred: { kind: 'or', children: parts.map(asPred) } };
    }
    case 'and': {
      const positive: string[] = [];
      const negative: string[] = [];
      const others: Predicate[] = [];
      for (const p of node.children.map(compileNode)) {
        if ('fts' in p) positive.push(p.fts);
        else if (p.pred.kind === 'not' && p.pred.child.kind === 'fts') negative.push(p.pred.child.match);
        else others.push(p.pred);
      }
      if (positive.length === 0) {
        // FTS5's NOT is binary (a NOT b): with nothing positive to subtract from, exclusions become predicates.
        for (const n of negative) others.push({ kind: 'not', child: { kind: 'fts', match: n } });
        return { pred: others.length === 1 ? (others[0] as Predicate) : { kind: 'and', children: others } };
      }
      let fts = join('AND', positive);
      if (negative.length > 0) fts = `(${fts} NOT ${join('OR', negative)})`;
      if (others.length === 0) return { fts };
      return { pred: { kind: 'and', children: [{ kind: 'fts', match: fts }, ...others] } };
    }
  }
}

/** True when the query has text terms and all of them are s: terms. */
function subjectOnly(node: QueryNode): boolean {
  let terms = 0;
  let subject = 0;
  const walk = (n: QueryNode): void => {
    if (n.kind === 'term') {
      terms++;
      if (n.field === 's') subject++;
    } else if (n.kind === 'and' || n.kind === 'or') n.children.forEach(walk);
    else if (n.kind === 'not') walk(n.child);
  };
  walk(node);
  return terms > 0 && subject === terms;
}

export function compileQuery(query: Query): SearchPlan {
  if (query === null) return { match: null, filters: [] };
  const plan = compileTop(query);
  return plan.match !== null && subjectOnly(query) ? { ...plan, subjectOnly: true } : plan;
}

function compileTop(query: QueryNode): SearchPlan {
  const top = compileNode(query);
  if ('fts' in top) return { match: top.fts, filters: [] };
  if (top.pred.kind === 'and') {
    const fts = top.pred.children.find((c) => c.kind === 'fts');
    const rest = top.pred.children.filter((c) => c !== fts);
    return fts && fts.kind === 'fts' ? { match: fts.match, filters: rest } : { match: null, filters: top.pred.children };
  }
  return { match: null, filters: [top.pred] };
}
