// The lines of a text read one after another without splitting it whole: a 60 MB patch
// split into an array cost over 100 MB more than its text (1.3 million strings), once for
// the diff summary and once for the patch-id. A few lines behind the furthest one read are
// kept, for the lookahead the parsers do (the "+++" and "@@" after a "---"). The text may
// also be UTF-8 bytes (a body too large to decode whole, ingest/parse-body-cut.ts): each
// line is decoded as it is read, the same string as that line of the decoded text.

const KEPT = 8;

export interface LineCursorOptions {
  /** Each line keeps its '\n' and there is no empty last line (strbuf_getwholeline); else as split('\n'). */
  keepNewline: boolean;
  /** Drop one '\r' at the end of each line (before its '\n'). */
  stripCr?: boolean;
}

export class LineCursor {
  private readonly kept: string[] = new Array<string>(KEPT);
  /** Lines made so far. */
  private made = 0;
  /** Where the next line starts. */
  private pos = 0;
  private ended = false;

  constructor(
    private readonly text: string | Buffer,
    private readonly opts: LineCursorOptions,
  ) {}

  /** Line `i` (split('\n')[i], or the whole line with its '\n'), or undefined past the last; fewer than 8 lines behind the furthest read. */
  at(i: number): string | undefined {
    while (this.made <= i && !this.ended) this.next();
    if (i >= this.made) return undefined;
    if (i < this.made - KEPT) throw new Error(`line ${i} is behind the cursor (at ${this.made})`);
    return this.kept[i % KEPT];
  }

  private slice(start: number, end: number): string {
    const t = this.text;
    return typeof t === 'string' ? t.slice(start, end) : t.toString('utf8', start, end);
  }

  private next(): void {
    const t = this.text;
    const nl = typeof t === 'string' ? t.indexOf('\n', this.pos) : t.indexOf(0x0a, this.pos);
    let line: string;
    if (this.opts.keepNewline) {
      if (this.pos >= t.length) {
        this.ended = true;
        return;
      }
      const end = nl < 0 ? t.length : nl + 1;
      line = this.slice(this.pos, end);
      this.pos = end;
    } else if (nl < 0) {
      line = this.slice(this.pos, t.length);
      this.ended = true;
    } else {
      line = this.slice(this.pos, nl);
      this.pos = nl + 1;
    }
    if (this.opts.stripCr && line.endsWith('\r')) line = line.slice(0, -1);
    this.kept[this.made % KEPT] = line;
    this.made++;
  }
}
