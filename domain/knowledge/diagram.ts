// Interleaving diagrams as kernel developers draw them:
//
//   CPU0                          CPU1
//   ----                          ----
//   lock(&A);
//                                 lock(&B);
//   lock(&B);
//                                 lock(&A);
//
// and the same with "Thread A / Thread B", "T1  T2", "Task 1  Task 2", "Process A", or
// named contexts ("khugepaged   write()"). The columns are found from the heading line's
// word positions; each later line's pieces go to the column whose start is nearest, so a
// ragged diagram still reads. Pure.

export interface DiagramRead {
  /** Line index (in the lines given) of the heading. */
  line: number;
  columns: string[];
  steps: { column: number; text: string; functions: string[] }[];
}

const HEAD_TOKEN = /^[\[(<]?(?:CPU\s?#?\d+|cpu\s?\d+|Thread\s?[A-Z0-9]+|thread\s?[a-z0-9]+|Task\s?[A-Z0-9]+|task\s?[a-z0-9]+|Process\s?[A-Z0-9]+|process\s?[a-z0-9]+|Context\s?[A-Z0-9]+|P[0-9]|T[0-9]|CPU[A-Z])[\])>]?(?:\s*\([^)]{1,40}\))?\s*:?$/;

/** Pieces of a line separated by two or more spaces (or a tab), with their columns. */
function pieces(line: string): { at: number; text: string }[] {
  const out: { at: number; text: string }[] = [];
  const expanded = line.replace(/\t/g, '        ');
  const re = /\S+(?: \S+)*/g;
  for (let m = re.exec(expanded); m; m = re.exec(expanded)) out.push({ at: m.index, text: m[0] });
  return out;
}

const CALL = /\b([A-Za-z_][A-Za-z0-9_]{2,})\s*\(/g;
const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'typeof', 'likely', 'unlikely']);

/** /^[A-Z][A-Z0-9_]*$/ of a name CALL matched (its characters are word characters). */
function isAllCaps(name: string): boolean {
  const c = name.charCodeAt(0);
  if (c < 65 || c > 90) return false;
  for (let i = 1; i < name.length; i++) if (name.charCodeAt(i) >= 97) return false; // a small letter
  return true;
}

/** /^[0-9a-f]{7,40}$/: a commit id. */
function isCommitId(name: string): boolean {
  if (name.length < 7 || name.length > 40) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * The functions a line of code or a diagram step calls: not keywords, not ALL_CAPS macros
 * (EXPORT_SYMBOL, WARN_ON). Asked of every changed line of a diff: one shared regex and
 * character checks, where matchAll copied its regex and three more ran per name.
 */
export function functionsIn(text: string): string[] {
  const out: string[] = [];
  if (!text.includes('(')) return out; // no call without its parenthesis
  CALL.lastIndex = 0;
  for (let m = CALL.exec(text); m !== null; m = CALL.exec(text)) {
    const name = m[1] ?? '';
    // keywords, ALL_CAPS macros, and a commit id before its quoted subject: c7f114d864ac ("...")
    if (KEYWORDS.has(name) || isAllCaps(name) || isCommitId(name)) continue;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * lockdep's "possible unsafe locking scenario" writes each step as lock(class);, rlock(class);
 * (a read) or sync(class); (an SRCU sync): its own verbs around a lock's name, not a kernel
 * function the race runs through (a person's lock(&a) is the same pseudo-code). A bare sync()
 * with nothing inside is sync(2), and stays.
 */
function isScenarioVerb(name: string, text: string): boolean {
  return name === 'lock' || name === 'rlock' || (name === 'sync' && !/\bsync\s*\(\s*\)/.test(text));
}

/** "[CPU0]" -> "CPU0", "CPU0:" -> "CPU0", "CPU0 (writeback)" stays as written. */
function headingName(h: string): string {
  const t = h.replace(/\s*:$/, '');
  const wrapped = /^[[(<](.*)[\])>]$/.exec(t);
  return wrapped?.[1] && !wrapped[1].includes('(') ? wrapped[1] : t;
}

// A context named by one word beside a CPU/Thread column: "CP    Thread A" (the checkpoint),
// "kworker    Thread B", "write()    Task 2". One word of a few letters, not a sentence.
const NAMED_CONTEXT = /^[\[(<]?[A-Za-z_][\w.\/-]{0,23}(?:\(\))?[\])>]?:?$/;

function isHeading(line: string): string[] | null {
  const ps = pieces(line);
  if (ps.length < 2 || ps.length > 4) return null;
  const heads = ps.map((p) => p.text.trim());
  const named = heads.filter((h) => HEAD_TOKEN.test(h)).length;
  // every column a CPU/Thread/Task name, or at least one of them with the others named contexts
  if (named === heads.length || (named >= 1 && heads.every((h) => HEAD_TOKEN.test(h) || NAMED_CONTEXT.test(h)))) return heads.map(headingName);
  return null;
}

const RULE = /^[\s\-=_|]+$/;

// A heading names at least two columns with one of these words: lines without one are no heading.
const HEAD_WORDS = /\b(?:CPU|cpu|Thread|thread|Task|task|Process|process|Context|P[0-9]|T[0-9])/g;

/**
 * The indexes of the lines that hold a heading word, in order: one pass over the lines
 * joined, where a look per line cost a regex call for each line of a long report. (No
 * word reaches across the line break joining two lines; a line may hold breaks of its own.)
 */
function headWordLines(lines: readonly string[]): number[] {
  const out: number[] = [];
  const text = lines.join('\n');
  let line = 0;
  let end = (lines[0] ?? '').length; // where line `line` ends in the text
  HEAD_WORDS.lastIndex = 0;
  for (let m = HEAD_WORDS.exec(text); m !== null; m = HEAD_WORDS.exec(text)) {
    while (m.index > end) end += 1 + (lines[++line] ?? '').length;
    if (out[out.length - 1] !== line) out.push(line);
  }
  return out;
}

/** The first interleaving diagram in `lines` (quote markers already stripped), or null. */
export function readDiagram(lines: readonly string[]): DiagramRead | null {
  if (lines.length === 0) return null;
  for (const i of headWordLines(lines)) {
    const line = lines[i] ?? '';
    if (line.length > 200) continue;
    const heads = isHeading(line);
    if (!heads) continue;
    const starts = pieces((lines[i] ?? '').replace(/\t/g, '        ')).map((p) => p.at);
    const steps: DiagramRead['steps'] = [];
    let blanks = 0;
    for (let j = i + 1; j < lines.length && j < i + 120; j++) {
      const line = lines[j] ?? '';
      if (line.trim() === '') {
        // a diagram may hold one empty line between phases; two end it
        if (++blanks >= 2 && steps.length > 0) break;
        continue;
      }
      blanks = 0;
      if (RULE.test(line)) continue;
      const ps = pieces(line);
      // prose (a sentence starting at the margin, longer than a column) ends the diagram
      const only = ps.length === 1 ? ps[0]! : null;
      if (only && only.at === 0 && ((only.text.length > 60 && /[a-z]{3,} [a-z]{3,} [a-z]{3,}/.test(only.text)) || (only.text.length > 40 && /^[A-Z][a-z]+ [a-z]/.test(only.text)))) break;
      for (const p of ps) {
        let col = 0;
        let best = Infinity;
        for (const [c, s] of starts.entries()) {
          const d = Math.abs(p.at - s);
          if (d < best) {
            best = d;
            col = c;
          }
        }
        const text = p.text.replace(/^\|\s*|\s*\|$/g, '').trim();
        if (text === '' || RULE.test(text)) continue;
        steps.push({ column: col, text, functions: functionsIn(text).filter((f) => !isScenarioVerb(f, text)) });
      }
    }
    if (steps.length >= 2 && new Set(steps.map((s) => s.column)).size >= 2) return { line: i, columns: heads, steps };
  }
  return null;
}
