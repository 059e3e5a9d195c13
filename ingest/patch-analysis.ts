// One patch analysis per parsed message, shared by the analyzers that need it (patches,
// knowledge): parsing a large diff twice on the parse worker would cost ingest speed
// for nothing.
import type { ParsedMessage } from '../domain/message.ts';
import { analyzePatchMessage, type PatchAnalysis } from '../domain/patch/analyze.ts';
import { diffSummary } from '../domain/patch/diff.ts';
import { patchId } from '../domain/patch/patch-id.ts';
import { parseSubject, type SubjectInfo } from '../domain/patch/subject.ts';
import { bodyCutOf } from './parse-body-cut.ts';

// The parsed subject is kept beside it: most mail has no patch analysis to carry it, and the
// knowledge analysis parsed it a second time (parseSubject was 2.4% of the worker's profile).
// Only the last message's: the analyzers that share it run one after another on one message.
// (A WeakMap held one ephemeron per message for the collector to trace, and kept nothing longer
// that was asked again.)
interface Memo {
  msg: ParsedMessage;
  analysis: PatchAnalysis | undefined;
  subject: SubjectInfo;
}
let last: Memo | null = null;

function memoOf(msg: ParsedMessage): Memo {
  if (last?.msg !== msg) {
    const subject = parseSubject(msg.subject);
    last = { msg, analysis: wholeDiffOf(msg, analyzePatchMessage(msg, subject)), subject };
  }
  return last;
}

export function patchAnalysisOf(msg: ParsedMessage): PatchAnalysis | undefined {
  return memoOf(msg).analysis;
}

/** parseSubject(msg.subject), as the patch analysis read it. */
export function subjectOf(msg: ParsedMessage): SubjectInfo {
  return memoOf(msg).subject;
}

/**
 * A body too large to be parsed whole (ingest/parse-body-cut.ts) is analysed from its first
 * part; its diff summary and patch-id, which its first part would get wrong, are read again
 * over all of its bytes, line by line, as they are for any other patch.
 */
function wholeDiffOf(msg: ParsedMessage, a: PatchAnalysis | undefined): PatchAnalysis | undefined {
  const cut = bodyCutOf(msg);
  if (!a || !cut || (a.files.length === 0 && a.patchId === null)) return a;
  const d = diffSummary(cut.bytes);
  const files = d.files.map((f) => ({ path: f.newPath ?? f.oldPath ?? '', change: f.change, added: f.added, removed: f.removed, binary: f.binary }));
  return { ...a, files, added: d.added, removed: d.removed, patchId: patchId(cut.bytes) };
}
