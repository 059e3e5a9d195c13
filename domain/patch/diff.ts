// The diff inside a patch mail, parsed into files and hunks. Handles git's extended
// headers (renames, copies, new/deleted files, modes, binary) and plain unified diffs
// as quilt and the stable review scripts send them ("--- a/x" without "diff --git").
// A hunk ends when its line counts run out, so signatures and replies after it are
// never mistaken for diff.
import { LineCursor } from './line-cursor.ts';

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The text after the second "@@": git's function context, '' when none. */
  context: string;
  added: number;
  removed: number;
}

export type FileChange = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface DiffFile {
  oldPath: string | null;
  newPath: string | null;
  change: FileChange;
  oldMode: string | null;
  newMode: string | null;
  /** Rename/copy similarity in percent, when git gave one. */
  similarity: number | null;
  binary: boolean;
  hunks: Hunk[];
  added: number;
  removed: number;
}

export interface ParsedDiff {
  files: DiffFile[];
  added: number;
  removed: number;
}

function stripPrefix(path: string): string | null {
  const p = path.replace(/\t.*$/, '').trim();
  if (p === '/dev/null') return null;
  const unq = p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1) : p;
  return unq.replace(/^[ab]\//, '');
}

function gitHeaderPaths(line: string): { a: string | null; b: string | null } {
  // "diff --git a/x b/x": when both halves are equal the split point is unambiguous even with spaces.
  const rest = line.slice('diff --git '.length).trim();
  const m = /^"?a\/(.+?)"? "?b\/(.+?)"?$/.exec(rest);
  if (m) return { a: m[1] ?? null, b: m[2] ?? null };
  // --no-prefix: "diff --git x x"; only an even split into equal halves is certain.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ' && rest.slice(0, half) === rest.slice(half + 1)) {
    return { a: rest.slice(0, half), b: rest.slice(half + 1) };
  }
  return { a: null, b: null };
}

function newFile(oldPath: string | null, newPath: string | null): DiffFile {
  return { oldPath, newPath, change: 'modified', oldMode: null, newMode: null, similarity: null, binary: false, hunks: [], added: 0, removed: 0 };
}

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

export function parseDiff(body: string): ParsedDiff {
  return readDiff(body, true);
}

/**
 * parseDiff's files and counts without their hunks: what the patch analysis keeps. A
 * patch of tens of MB made hundreds of thousands of hunks (some 60 MB for a 60 MB patch)
 * only to be summed. The body may be its UTF-8 bytes (ingest/parse-body-cut.ts).
 */
export function diffSummary(body: string | Buffer): ParsedDiff {
  return readDiff(body, false);
}

function readDiff(body: string | Buffer, keepHunks: boolean): ParsedDiff {
  const lines = new LineCursor(body, { keepNewline: false, stripCr: typeof body === 'string' ? body.includes('\r') : body.includes(0x0d) });
  const files: DiffFile[] = [];
  let cur: DiffFile | null = null;
  let inHeader = false;
  let hunk: Hunk | null = null;
  /** The file the hunk belongs to (cur may move on to a plain diff's next file before it ends). */
  let hunkFile: DiffFile | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  for (let i = 0; lines.at(i) !== undefined; i++) {
    const line = lines.at(i) ?? '';
    if (hunk && (oldLeft > 0 || newLeft > 0)) {
      const c = line[0];
      if (c === '+') {
        hunk.added++;
        if (hunkFile) hunkFile.added++;
        newLeft--;
      } else if (c === '-') {
        hunk.removed++;
        if (hunkFile) hunkFile.removed++;
        oldLeft--;
      } else if (c === ' ' || line === '') {
        // An empty line inside a hunk is context whose leading space a mailer ate.
        oldLeft--;
        newLeft--;
      } else if (c === '\\') {
        continue;
      } else {
        hunk = null;
      }
      if (hunk) continue;
    }
    if (line.startsWith('\\ ')) continue;
    if (line.startsWith('diff --git ')) {
      const { a, b } = gitHeaderPaths(line);
      cur = newFile(a, b);
      files.push(cur);
      inHeader = true;
      hunk = null;
      continue;
    }
    if (cur && inHeader) {
      let m: RegExpExecArray | null;
      if ((m = /^new file mode (\d+)/.exec(line))) {
        cur.change = 'added';
        cur.newMode = m[1] ?? null;
        cur.newPath ??= cur.oldPath;
        cur.oldPath = null;
        continue;
      }
      if ((m = /^deleted file mode (\d+)/.exec(line))) {
        cur.change = 'deleted';
        cur.oldMode = m[1] ?? null;
        cur.oldPath ??= cur.newPath;
        cur.newPath = null;
        continue;
      }
      if ((m = /^old mode (\d+)/.exec(line))) {
        cur.oldMode = m[1] ?? null;
        continue;
      }
      if ((m = /^new mode (\d+)/.exec(line))) {
        cur.newMode = m[1] ?? null;
        continue;
      }
      if ((m = /^(rename|copy) from (.+)$/.exec(line))) {
        cur.change = m[1] === 'rename' ? 'renamed' : 'copied';
        cur.oldPath = m[2] ?? cur.oldPath;
        continue;
      }
      if ((m = /^(rename|copy) to (.+)$/.exec(line))) {
        cur.newPath = m[2] ?? cur.newPath;
        continue;
      }
      if ((m = /^(?:similarity|dissimilarity) index (\d+)%/.exec(line))) {
        cur.similarity = Number(m[1]);
        continue;
      }
      if ((m = /^index [0-9a-f]+\.\.[0-9a-f]+(?: (\d+))?/.exec(line))) {
        if (m[1] && !cur.oldMode) cur.oldMode = cur.newMode = m[1];
        continue;
      }
      if (line.startsWith('GIT binary patch') || /^Binary files .* differ$/.test(line)) {
        cur.binary = true;
        inHeader = false;
        continue;
      }
    }
    if (line.startsWith('--- ') && (lines.at(i + 1) ?? '').startsWith('+++ ') && HUNK_RE.test(lines.at(i + 2) ?? '')) {
      const oldPath = stripPrefix(line.slice(4));
      const newPath = stripPrefix((lines.at(i + 1) ?? '').slice(4));
      // A plain unified diff (quilt, stable review mail) has no "diff --git" line before it.
      if (!cur || !inHeader) {
        cur = newFile(oldPath, newPath);
        if (oldPath === null) cur.change = 'added';
        if (newPath === null) cur.change = 'deleted';
        files.push(cur);
      } else {
        if (cur.change !== 'added' && cur.oldPath === null) cur.oldPath = oldPath;
        if (cur.change !== 'deleted' && cur.newPath === null) cur.newPath = newPath;
      }
      inHeader = false;
      i++;
      continue;
    }
    const h = HUNK_RE.exec(line);
    if (h && cur) {
      inHeader = false;
      hunk = {
        oldStart: Number(h[1]),
        oldLines: h[2] === undefined ? 1 : Number(h[2]),
        newStart: Number(h[3]),
        newLines: h[4] === undefined ? 1 : Number(h[4]),
        context: (h[5] ?? '').trim(),
        added: 0,
        removed: 0,
      };
      oldLeft = hunk.oldLines;
      newLeft = hunk.newLines;
      hunkFile = cur;
      if (keepHunks) cur.hunks.push(hunk);
      continue;
    }
    if (inHeader && cur && !/^[a-z]/i.test(line)) inHeader = false;
  }
  return {
    files,
    added: files.reduce((n, f) => n + f.added, 0),
    removed: files.reduce((n, f) => n + f.removed, 0),
  };
}

/** Whether some line of the text starts with `s`. */
function lineStarts(body: string, s: string): boolean {
  return body.startsWith(s) || body.includes(`\n${s}`);
}

/** Whether the text carries a diff at all (cheap check before parsing). */
export function hasDiff(body: string): boolean {
  // Plain substring searches: this runs on every message.
  // "diff --git" alone counts: a pure rename or mode change has no hunk.
  return lineStarts(body, '@@ -') || lineStarts(body, 'diff --git ') || lineStarts(body, 'GIT binary patch') || lineStarts(body, 'Binary files ');
}
