// Outlook threads by Thread-Index, not References: a base64 value whose first 22 bytes
// (a time and a GUID) name the conversation and to which each reply appends 5 bytes. A
// message that declares no In-Reply-To or References but has one gets ancestry from it:
// one id per ancestor prefix, in a reserved domain, so every mail of the conversation
// meets under the conversation's own (ghost) node and a reply sits under its parent's
// prefix. Pure.

const THREAD_INDEX_DOMAIN = 'thread-index.invalid';

const HEAD = 22;
const STEP = 5;

function threadIndexId(bytes: Uint8Array): string {
  return `${Buffer.from(bytes).toString('hex')}@${THREAD_INDEX_DOMAIN}`;
}

/** Oldest first: the conversation's id, then each ancestor's. [] for a value that is not a Thread-Index. */
export function threadIndexAncestry(value: string): string[] {
  const text = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return [];
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < HEAD || (bytes.length - HEAD) % STEP !== 0) return [];
  const out = [threadIndexId(bytes.subarray(0, HEAD))];
  for (let end = HEAD + STEP; end < bytes.length; end += STEP) out.push(threadIndexId(bytes.subarray(0, end)));
  return out;
}
