// The page as a person sees it: a real Chromium, headless, loads the app from a listening
// server and runs its JavaScript; the rendered DOM must hold values from the archive and
// from a simulator run. Skips (saying why) where Chromium is not installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { ensureSeeded } from '../ingest/seed.ts';
import { addWatch } from '../db/watches.ts';
import { buildApp } from '../server/app.ts';
import { REPO_ROOT } from './helpers/shared.ts';
import { HOSTILE_ID, MARKUP_ID, ingestFixture } from './helpers/api-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`${CHROMIUM} not found: the browser test of the web UI is skipped (apt-get install chromium)`);

const run = promisify(execFile);
let dir: string;
let db: Db;
let app: FastifyInstance;
let base: string;
let hostile: FastifyInstance | undefined;
let hostileDb: Db | undefined;

async function listen(a: FastifyInstance): Promise<string> {
  await a.listen({ host: '127.0.0.1', port: 0 });
  const addr = a.server.address();
  return `http://127.0.0.1:${addr && typeof addr === 'object' ? addr.port : 0}/`;
}

/** The DOM after the page's scripts ran. Async: the server answering the browser lives in this process. */
async function renderedDom(hash: string, at: string = base): Promise<string> {
  const profile = mkdtempSync(join(dir, 'profile-'));
  const { stdout } = await run(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--virtual-time-budget=5000',
      '--dump-dom',
      `${at}${hash}`,
    ],
    { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
  );
  return stdout;
}

describe.skipIf(!HAS_CHROMIUM)('the web UI in Chromium', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lg-web-browser-'));
    await ensureSeeded(join(dir, 'db.sqlite'), { worker: false });
    const w = openDb(join(dir, 'db.sqlite'));
    addWatch(w, 'folios', 's:folio', Date.UTC(2026, 0, 1));
    closeDb(w);
    db = openDb(join(dir, 'db.sqlite'), { readonly: true });
    app = buildApp({ db, scenarioDir: join(REPO_ROOT, 'test/fixtures/sim'), simRunner: 'inline', knowledgeBuilder: 'inline' });
    base = await listen(app);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    if (db) closeDb(db);
    await hostile?.close();
    if (hostileDb) closeDb(hostileDb);
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders search results with the sample subject and highlighted words', async () => {
    const dom = await renderedDom('#/search?q=folio');
    expect(dom).toContain('[BUG] mm/filemap: stale folio returned after concurrent truncate');
    expect(dom).toContain('<mark>folio</mark>');
    expect(dom).toMatch(/\d+ matches for folio/);
    // The knowledge index, searched by lunr inside the page, names the filemap series.
    expect(dom).toMatch(/class="kind k-series">series<\/span> <a href="#\/series\/[^"]+">mm\/filemap: recheck folio-&gt;mapping/);
  }, 90_000);

  it('runs a scenario from its link and shows the verdict and the witness steps', async () => {
    const dom = await renderedDom('#/s/lost-update/run/original/two');
    expect(dom).toContain('Run: original × two');
    expect(dom).toContain('<span class="badge b-violated">violated</span>');
    expect(dom).toContain('<code>both_counted</code>');
    expect(dom).toContain('<code>counter_inc</code>');
    expect(dom).toContain('As expected: both load 0 and store 1');
  }, 90_000);

  it('lists saved searches at #/watch, and what one matched since its last watch up', async () => {
    const list = await renderedDom('#/watch');
    expect(list).toContain('<a href="#/watch/folios">folios</a>');
    const one = await renderedDom('#/watch/folios');
    expect(one).toContain('<h1>Saved search folios</h1>');
    expect(one).toMatch(/New since the last watch up \(never run: everything\): [1-9]\d*</);
    expect(one).toContain('[BUG] mm/filemap: stale folio returned after concurrent truncate');
    expect(one).toContain('href="/api/watches/folios/feed.atom"');
  }, 90_000);

  it('shows a patch with its stable status and series on one page', async () => {
    const dom = await renderedDom(`#/m/${encodeURIComponent('20240904-filemap-recheck-v1-1-ines@example.org')}`);
    expect(dom).toContain('<h2>Stable branches</h2>');
    expect(dom).toContain('6.6.54');
    expect(dom).toContain('<h2>Series</h2>');
    expect(dom).toContain('No simulator scenario models a fix from this message or its thread.');
    expect(dom).not.toMatch(/>null</);
  }, 90_000);

  it('shows every fix against every branch at #/stable, and a fix’s timeline', async () => {
    const dom = await renderedDom('#/stable');
    expect(dom).toContain('<h1>Stable branches</h1>');
    expect(dom).toContain('swap_cache_get_folios');
    expect(dom).not.toContain('class="error"');
    const fix = await renderedDom('#/fix/f53fddcf4fb8');
    expect(fix).toContain('released in 6.6.54');
    expect(fix).toContain('Gregor Stabil');
    expect(fix).not.toMatch(/>null</);
  }, 90_000);

  it('shows a message full of markup as text, and opens a Message-ID with URL-hostile characters', async () => {
    await ingestFixture(join(dir, 'fixture.sqlite'), join(dir, 'fixture-mail'));
    hostileDb = openDb(join(dir, 'fixture.sqlite'), { readonly: true });
    hostile = buildApp({ db: hostileDb, scenarioDir: join(REPO_ROOT, 'test/fixtures/sim'), simRunner: 'inline', knowledgeBuilder: 'inline' });
    const at = await listen(hostile);
    const dom = await renderedDom(`#/m/${encodeURIComponent(MARKUP_ID)}`, at);
    expect(dom).toContain('<h1>&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt; readahead question</h1>');
    expect(dom).toContain('&lt;script&gt;alert("readahead")&lt;/script&gt;');
    expect(dom).not.toMatch(/<img|<b>bold|<script>alert/);
    const odd = await renderedDom(`#/m/${encodeURIComponent(HOSTILE_ID)}`, at);
    expect(odd).toContain(`&lt;${HOSTILE_ID}&gt;`);
    expect(odd).not.toContain('class="error"');
  }, 90_000);
});
