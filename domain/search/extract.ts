// What the full-text index stores for one message, one field per lore prefix: the
// body split into what the author wrote (non-quoted), what they quoted ('> ' lines),
// and, for patches, the diff split into file names, hunk headers (the function each
// hunk is in), added, removed and context lines. Pure: runs in the parse worker.
import type { Address, ParsedMessage } from '../message.ts';
import { dfnColumn } from './path-terms.ts';

export interface SearchDoc {
  subject: string;
  /** Name and address, so both `f:layton` and `f:jlayton@kernel.org` match. */
  from_addr: string;
  to_addr: string;
  cc_addr: string;
  list_id: string;
  body_nq: string;
  body_q: string;
  /**
   * File paths, each followed by its joined word runs (domain/search/path-terms.ts); then
   * the diffs' blob ids as blobTerms (there is no column of their own without a migration).
   */
  dfn: string;
  dfhh: string;
  /** Removed ('-') lines: lore's dfa ("diff a", the pre-image side). */
  dfa: string;
  /** Added ('+') lines: lore's dfb ("diff b", the post-image side). */
  dfb: string;
  dfctx: string;
}

export interface BodyParts {
  nonQuoted: string[];
  quoted: string[];
  fileNames: string[];
  hunkHeaders: string[];
  added: string[];
  removed: string[];
  context: string[];
  /** blobTerms of the diffs' `index <pre>..<post>` lines. */
  blobs: string[];
}

/**
 * The index terms for a diff's `index <pre>..<post>` line, which dfpre:/dfpost:/dfblob:
 * look up by prefix (db/search.ts): one word each, so a blob id can never match a word
 * of the text, nor one side the other.
 */
export function blobTerms(pre: string, post: string): [string, string] {
  return [`dfpre${pre.toLowerCase()}`, `dfpost${post.toLowerCase()}`];
}

const INDEX_LINE = /^index ([0-9a-fA-F]{4,64})\.\.([0-9a-fA-F]{4,64})/;

const HUNK = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@ ?(.*)$/;
const QUOTED = /^[ \t]*>/;

/** 'a/mm/filemap.c' -> 'mm/filemap.c'; '/dev/null' and timestamps dropped. */
function diffPath(raw: string): string | null {
  let p = raw.split('\t')[0]?.trim() ?? '';
  if (p.startsWith('"') && p.endsWith('"') && p.length >= 2) p = p.slice(1, -1);
  if (p === '/dev/null' || p === '') return null;
  return /^[ab]\//.test(p) ? p.slice(2) : p;
}

/** Appends a file name the first time it is seen. */
function addName(names: Set<string>, fileNames: string[], p: string | null): void {
  if (p !== null && !names.has(p)) {
    names.add(p);
    fileNames.push(p);
  }
}

/** Splits a decoded body; a diff is only recognised outside quoted text. */
export function splitBody(body: string): BodyParts {
  const parts: BodyParts = { nonQuoted: [], quoted: [], fileNames: [], hunkHeaders: [], added: [], removed: [], context: [], blobs: [] };
  const names = new Set<string>();
  const lines = (body.includes('\r') ? body.replace(/\r\n?/g, '\n') : body).split('\n');
  let oldLeft = 0;
  let newLeft = 0;
  let inDiffHeader = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const c = line[0];
    if (oldLeft > 0 || newLeft > 0) {
      if (c === '+') {
        parts.added.push(line.slice(1));
        newLeft--;
        continue;
      }
      if (c === '-') {
        parts.removed.push(line.slice(1));
        oldLeft--;
        continue;
      }
      if (c === ' ' || line === '') {
        // Some mailers strip the lone space of an empty context line.
        parts.context.push(line.slice(1));
        oldLeft--;
        newLeft--;
        continue;
      }
      if (c === '\\') continue; // "\ No newline at end of file"
      oldLeft = newLeft = 0; // a truncated hunk: the rest is prose again
    }
    // The patterns below are tried only on lines whose first characters can match them:
    // this loop sees every line of every message.
    const hunk = line.startsWith('@@ -') ? HUNK.exec(line) : null;
    if (hunk) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      if (hunk[3]) parts.hunkHeaders.push(hunk[3]);
      inDiffHeader = false;
      continue;
    }
    const git = line.startsWith('diff --git ') ? /^diff --git (\S+) (\S+)/.exec(line) : null;
    if (git) {
      addName(names, parts.fileNames, diffPath(git[1] as string));
      addName(names, parts.fileNames, diffPath(git[2] as string));
      inDiffHeader = true;
      continue;
    }
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      addName(names, parts.fileNames, diffPath(line.slice(4)));
      addName(names, parts.fileNames, diffPath((lines[i + 1] as string).slice(4)));
      i++;
      inDiffHeader = true;
      continue;
    }
    if (inDiffHeader) {
      const rename = /^(?:rename|copy) (?:from|to) (.+)$/.exec(line);
      if (rename) {
        addName(names, parts.fileNames, diffPath(rename[1] as string));
        continue;
      }
      const index = line.startsWith('index ') ? INDEX_LINE.exec(line) : null;
      if (index) {
        parts.blobs.push(...blobTerms(index[1] as string, index[2] as string));
        continue;
      }
      if (/^(?:index |new file mode|deleted file mode|old mode|new mode|similarity index|dissimilarity index|Binary files )/.test(line)) continue;
      inDiffHeader = false;
    }
    if (c === '>' || ((c === ' ' || c === '\t') && QUOTED.test(line))) parts.quoted.push(line.replace(/^[ \t]*(?:>[ \t]?)+/, ''));
    else parts.nonQuoted.push(line);
  }
  return parts;
}

/** The columns splitBody's parts make, joined as extractSearchDoc joins them: nonQuoted and quoted lines as one text each. */
type BodyColumns = Omit<BodyParts, 'nonQuoted' | 'quoted'> & { nonQuoted: string; quoted: string };

// The prefixes of the lines splitBody asks about, as char codes.
const PLUS = 43;
const MINUS = 45;
const SPACE = 32;
const TAB = 9;
const BACKSLASH = 92;
const GT = 62;
const DIFF_HEADER_LINE = /^(?:index |new file mode|deleted file mode|old mode|new mode|similarity index|dissimilarity index|Binary files )/;

/**
 * splitBody, its line lists joined as the index stores them, without splitting the body
 * into lines: every line of every message passes here, and most are the author's own
 * (non-quoted) lines, which splitBody copied out one by one only for them to be joined
 * again. Here a run of them is one slice of the body, and a line is copied out only when
 * it goes into a list by itself. The same rules as splitBody, line for line (a property
 * test holds the two equal).
 */
function bodyColumns(body: string): BodyColumns {
  const parts: BodyColumns = { nonQuoted: '', quoted: '', fileNames: [], hunkHeaders: [], added: [], removed: [], context: [], blobs: [] };
  const names = new Set<string>();
  const text = body.includes('\r') ? body.replace(/\r\n?/g, '\n') : body;
  const runs: string[] = [];
  const quoted: string[] = [];
  // the run of non-quoted lines being read: [runStart, runEnd), while the lines go on being non-quoted
  let runStart = -1;
  let runEnd = -1;
  let oldLeft = 0;
  let newLeft = 0;
  let inDiffHeader = false;
  for (let pos = 0; ; ) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const next = nl < 0 ? -1 : nl + 1;
    const c = pos < end ? text.charCodeAt(pos) : -1;
    let nonQuoted = false;
    // the loop body of splitBody, on the line text[pos, end)
    line: {
      if (oldLeft > 0 || newLeft > 0) {
        if (c === PLUS) {
          parts.added.push(text.slice(pos + 1, end));
          newLeft--;
          break line;
        }
        if (c === MINUS) {
          parts.removed.push(text.slice(pos + 1, end));
          oldLeft--;
          break line;
        }
        if (c === SPACE || c === -1) {
          parts.context.push(text.slice(pos + 1, end));
          oldLeft--;
          newLeft--;
          break line;
        }
        if (c === BACKSLASH) break line;
        oldLeft = newLeft = 0;
      }
      const hunk = text.startsWith('@@ -', pos) ? HUNK.exec(text.slice(pos, end)) : null;
      if (hunk) {
        oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
        newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
        if (hunk[3]) parts.hunkHeaders.push(hunk[3]);
        inDiffHeader = false;
        break line;
      }
      const git = text.startsWith('diff --git ', pos) ? /^diff --git (\S+) (\S+)/.exec(text.slice(pos, end)) : null;
      if (git) {
        addName(names, parts.fileNames, diffPath(git[1] as string));
        addName(names, parts.fileNames, diffPath(git[2] as string));
        inDiffHeader = true;
        break line;
      }
      if (next >= 0 && text.startsWith('--- ', pos) && text.startsWith('+++ ', next)) {
        const nextNl = text.indexOf('\n', next);
        const nextEnd = nextNl < 0 ? text.length : nextNl;
        addName(names, parts.fileNames, diffPath(text.slice(pos + 4, end)));
        addName(names, parts.fileNames, diffPath(text.slice(next + 4, nextEnd)));
        inDiffHeader = true;
        // both lines read: on after the second
        if (runStart >= 0) runs.push(text.slice(runStart, runEnd));
        runStart = -1;
        if (nextNl < 0) return finish(parts, runs, quoted);
        pos = nextNl + 1;
        continue;
      }
      if (inDiffHeader) {
        const l = text.slice(pos, end);
        const rename = /^(?:rename|copy) (?:from|to) (.+)$/.exec(l);
        if (rename) {
          addName(names, parts.fileNames, diffPath(rename[1] as string));
          break line;
        }
        const index = l.startsWith('index ') ? INDEX_LINE.exec(l) : null;
        if (index) {
          parts.blobs.push(...blobTerms(index[1] as string, index[2] as string));
          break line;
        }
        if (DIFF_HEADER_LINE.test(l)) break line;
        inDiffHeader = false;
      }
      if (c === GT || ((c === SPACE || c === TAB) && QUOTED.test(text.slice(pos, end)))) quoted.push(text.slice(afterQuoteMarks(text, pos, end), end));
      else nonQuoted = true;
    }
    if (nonQuoted) {
      if (runStart < 0) runStart = pos;
      runEnd = end;
    } else if (runStart >= 0) {
      runs.push(text.slice(runStart, runEnd));
      runStart = -1;
    }
    if (next < 0) break;
    pos = next;
  }
  if (runStart >= 0) runs.push(text.slice(runStart, runEnd));
  return finish(parts, runs, quoted);
}

/**
 * Where a quoted line's text starts: past what /^[ \t]*(?:>[ \t]?)+/ matches of text[pos, end)
 * (splitBody's replace), found without a regex replace per quoted line.
 */
function afterQuoteMarks(text: string, pos: number, end: number): number {
  let i = pos;
  while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
  if (i >= end || text.charCodeAt(i) !== GT) return pos;
  while (i < end && text.charCodeAt(i) === GT) {
    i++;
    if (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
  }
  return i;
}

function finish(parts: BodyColumns, runs: string[], quoted: string[]): BodyColumns {
  parts.nonQuoted = runs.join('\n');
  parts.quoted = quoted.join('\n');
  return parts;
}

function addresses(list: Address[]): string {
  return list.map((a) => `${a.name} ${a.address}`.trim()).join('\n');
}

/** The parts of a message the index reads: a ParsedMessage, or one rebuilt from stored rows by reindex. */
export type SearchSource = Pick<ParsedMessage, 'subject' | 'from' | 'to' | 'cc' | 'listId' | 'body'>;

/**
 * How much of a body the index reads: its first 4 MiB (UTF-16 units), cut after the last
 * whole line. The largest patches on lore are a few MB; past that is logs, dumps and
 * generated files. Each indexed byte is held several times over on its way to FTS5 (the
 * split columns, the copy to the writer thread, SQLite's own), which made a 60 MB message
 * cost 13x its size in memory; the whole body is still stored and shown.
 */
export const INDEXED_BODY_CHARS = 4 * 1024 * 1024;

/** The part of a body the index reads (INDEXED_BODY_CHARS). */
export function indexedBody(body: string): string {
  if (body.length <= INDEXED_BODY_CHARS) return body;
  const nl = body.lastIndexOf('\n', INDEXED_BODY_CHARS - 1);
  return body.slice(0, nl > 0 ? nl : INDEXED_BODY_CHARS);
}

export function extractSearchDoc(msg: SearchSource): SearchDoc {
  const b = bodyColumns(indexedBody(msg.body));
  return {
    subject: msg.subject,
    from_addr: msg.from ? addresses([msg.from]) : '',
    to_addr: addresses(msg.to),
    cc_addr: addresses(msg.cc),
    list_id: msg.listId ?? '',
    body_nq: b.nonQuoted.trim(),
    body_q: b.quoted,
    dfn: b.blobs.length === 0 ? dfnColumn(b.fileNames) : [dfnColumn(b.fileNames), ...b.blobs].join('\n'),
    dfhh: b.hunkHeaders.join('\n'),
    dfa: b.removed.join('\n'),
    dfb: b.added.join('\n'),
    dfctx: b.context.join('\n'),
  };
}
