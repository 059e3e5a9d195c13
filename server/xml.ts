// A tiny XML escaper for the Atom feed, which is XML built from mail text. Besides the
// five markup characters it drops what XML 1.0 cannot carry at all (most C0 controls,
// lone surrogates, U+FFFE/U+FFFF): a mail with a stray ^L or a broken surrogate must
// still yield a feed every reader can parse.

const MARKUP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

// Chars not allowed in XML 1.0 documents: C0 controls except tab/LF/CR, lone
// surrogates, and the two non-characters U+FFFE/U+FFFF.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escape text for use in XML element content or a double- or single-quoted attribute. */
export function xmlEscape(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => MARKUP[c] ?? c);
}
