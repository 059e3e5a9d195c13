// One patch analysis per parsed message, shared by the analyzers that need it (patches,
// knowledge): parsing a large diff twice on the parse worker would cost ingest speed
// for nothing. Keyed weakly by the ParsedMessage object, so it lives as long as the message.
import type { ParsedMessage } from '../domain/message.ts';
import { analyzePatchMessage, type PatchAnalysis } from '../domain/patch/analyze.ts';

const memo = new WeakMap<ParsedMessage, PatchAnalysis | undefined>();

export function patchAnalysisOf(msg: ParsedMessage): PatchAnalysis | undefined {
  if (memo.has(msg)) return memo.get(msg);
  const a = analyzePatchMessage(msg);
  memo.set(msg, a);
  return a;
}
