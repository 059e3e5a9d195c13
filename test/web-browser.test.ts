// The page as a person sees it: a real Chromium (Debian's, driven by playwright-core),
// headless, loads the app from a listening server and runs its JavaScript; the rendered
// DOM must hold values from the archive and from a simulator run, the journeys a reviewer
// takes must work by clicking, hostile mail must stay text on every page, and no page may
// log an error. Skips (saying why) where Chromium is not installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { ensureSeeded } from '../ingest/seed.ts';
import { addWatch } from '../db/watches.ts';
import { listRaces } from '../db/knowledge.ts';
import { buildApp } from '../server/app.ts';
import { REPO_ROOT } from './helpers/shared.ts';
import { HOSTILE_ID, MARKUP_ID, fixtureMessages, ingestFixture } from './helpers/api-fixture.ts';
import { HOSTILE_OBJECTION_ID, HOSTILE_PATCH_ID, HOSTILE_REPORT_ID, hostileRaceMessages } from './helpers/hostile-race.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`${CHROMIUM} not found: the browser test of the web UI is skipped (apt-get install chromium)`);

let dir: string;
let db: Db;
let app: FastifyInstance;
let base: string;
let hostile: FastifyInstance | undefined;
let hostileDb: Db | undefined;
let hostileBase: string;
let browser: Browser;
let context: BrowserContext;

async function listen(a: FastifyInstance): Promise<string> {
  await a.listen({ host: '127.0.0.1', port: 0 });
  const addr = a.server.address();
  return `http://127.0.0.1:${addr && typeof addr === 'object' ? addr.port : 0}/`;
}

/**
 * A page whose console errors, uncaught exceptions, dialogs (an alert() would mean
 * mail ran as script) and missing files of its own are recorded. A 404 the page asked for as a question ("has this
 * message a series?", apiOptional) is an answer, and Chromium logs it all the same.
 */
async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of 404/.test(m.text())) return;
    problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // a file of the page itself (a script, a style, the icon) is never missing
  page.on('response', (r) => {
    if (r.status() === 404 && !new URL(r.url()).pathname.startsWith('/api/')) problems.push(`404: ${new URL(r.url()).pathname}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

/** Goes to a hash route and waits until its view has rendered. */
async function open(page: Page, hash: string, at: string = base): Promise<void> {
  // A new hash on the same page renders a new view: the one shown now must not count as it.
  await page.evaluate(() => document.querySelector('main .view')?.setAttribute('data-stale', '')).catch(() => {});
  await page.goto(`${at}${hash}`);
  await page.waitForSelector('main .view:not([aria-busy]):not([data-stale])', { timeout: 30_000 });
}

/** The DOM after the page's scripts ran, and what went wrong on the way. */
async function renderedDom(hash: string, at: string = base): Promise<string> {
  const { page, problems } = await newPage();
  try {
    await open(page, hash, at);
    expect(problems).toEqual([]);
    return await page.content();
  } finally {
    await page.close();
  }
}

describe.skipIf(!HAS_CHROMIUM)('the web UI in Chromium', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lg-web-browser-'));
    await ensureSeeded(join(dir, 'db.sqlite'), { worker: false });
    const w = openDb(join(dir, 'db.sqlite'));
    addWatch(w, 'folios', 's:folio', Date.UTC(2026, 0, 1));
    closeDb(w);
    db = openDb(join(dir, 'db.sqlite'), { readonly: true });
    // The scenarios npm start serves: the sample's races link their fixes to them.
    app = buildApp({ db, scenarioDir: join(REPO_ROOT, 'sim/scenarios'), simRunner: 'inline', knowledgeBuilder: 'inline' });
    base = await listen(app);
    await ingestFixture(join(dir, 'fixture.sqlite'), join(dir, 'fixture-mail'), [...fixtureMessages(), ...hostileRaceMessages()]);
    hostileDb = openDb(join(dir, 'fixture.sqlite'), { readonly: true });
    hostile = buildApp({ db: hostileDb, scenarioDir: join(REPO_ROOT, 'test/fixtures/sim'), simRunner: 'inline', knowledgeBuilder: 'inline' });
    hostileBase = await listen(hostile);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base.replace(/\/$/, '') });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (db) closeDb(db);
    await hostile?.close();
    if (hostileDb) closeDb(hostileDb);
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders search results with the sample subject, highlighted words and an Atom link', async () => {
    const dom = await renderedDom('#/search?q=folio');
    expect(dom).toContain('[BUG] mm/filemap: stale folio returned after concurrent truncate');
    expect(dom).toContain('<mark>folio</mark>');
    expect(dom).toMatch(/\d+ matches for folio/);
    expect(dom).toContain('href="/api/feed.atom?q=folio"');
    // beside it, the matches as one mbox.gz file: the sample's bug report is in it, as mboxrd
    expect(dom).toContain('<a href="/api/search.mbox.gz?q=folio" type="application/gzip">mbox.gz</a>');
    const file = await fetch(`${base}api/search.mbox.gz?q=folio`);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="results-folio.mbox.gz"');
    const mbox = gunzipSync(Buffer.from(await file.arrayBuffer())).toString('utf8');
    expect(mbox.startsWith('From mboxrd@z Thu Jan  1 00:00:00 1970\n')).toBe(true);
    expect(mbox).toContain('Subject: [BUG] mm/filemap: stale folio returned after concurrent truncate');
    // The knowledge index, searched by lunr inside the page, names the filemap race and its fixes, each linked to its page.
    expect(dom).toMatch(/class="kind k-race">race<\/span> <a href="#\/race\/r-[^"]+">mm\/filemap: stale folio returned after concurrent truncate/);
    expect(dom).toMatch(/class="kind k-pfix">proposed fix<\/span> <a href="#\/proposed\/[^"]+">/);
  }, 90_000);

  it('runs a scenario from its link: the verdict, the witness as swimlanes with the breaking step, the command', async () => {
    const dom = await renderedDom('#/s/005-filemap-stale-folio-truncate/run/original/one_folio');
    expect(dom).toContain('Run: original × one_folio');
    expect(dom).toContain('<span class="badge b-violated">violated</span>');
    expect(dom).toMatch(/<th>truncate<\/th><th>reader<\/th><th>state changes<\/th>/);
    expect(dom).toContain('<code>filemap_remove_folio</code>');
    expect(dom).toMatch(/<tr class="breaking">.*← breaks no_stale_folio_returned/s);
    // the values that failed, and the whole state the witness ends in, not only each step's changes
    expect(dom).toContain('<h3>State at the end of the witness</h3>');
    expect(dom).toContain('Fails: <code>!stale_batch with stale_batch = 1</code> · read by the failure: <code>stale_batch = 1</code>');
    expect(dom).toContain('<li class="failed"><code>stale_batch</code> = <strong>1</strong></li>');
    expect(dom).toContain('<li><code>reader</code> = <strong>at copy</strong></li>');
    expect(dom).toContain('<li><code>B held by</code> = <strong>truncate</strong></li>');
    expect(dom).toContain('<li><code>reader.inB</code> = <strong>1</strong></li>');
    expect(dom.match(/<li class="failed">/g)).toHaveLength(1);
    expect(dom).toContain('these steps were not searched');
    expect(dom).toContain('npx loregraph sim run 005-filemap-stale-folio-truncate --variant original --config one_folio');
  }, 90_000);

  it("folds a long witness around the steps its story names, not around its middle", async () => {
    const { page, problems } = await newPage();
    try {
      await open(page, '#/s/000-thp-write-open-purge/run/original/dirty_before_open');
      const rows = page.locator('table.witness tbody tr');
      const numbers = async () => (await page.locator('table.witness td.step-no').allTextContents()).map(Number);
      // 41 steps, the story's 13 shown (steps 1-7, 11, 17-22, 34...), each stretch of the others one fold
      expect(await numbers()).toEqual([1, 2, 3, 4, 5, 6, 7, 11, 17, 18, 19, 20, 21, 22, 34, 41]);
      const folds = page.locator('table.witness tr.fold button');
      expect(await folds.allTextContents()).toEqual([
        'show 3 steps (8–10) that touch nothing the failure depends on',
        'show 5 steps (12–16) that touch nothing the failure depends on',
        'show 11 steps (23–33) that touch nothing the failure depends on',
        'show 6 steps (35–40) that touch nothing the failure depends on',
      ]);
      // where the dirty folio is dropped is on screen, not behind a fold
      expect(await page.locator('table.witness tr', { hasText: 'purge/tr/remove[O]' }).textContent()).toContain('O.dirty: 1 -> 0');
      await folds.first().click();
      expect((await numbers()).slice(0, 11)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(await rows.count()).toBe(16 + 3 + 3);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
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

  it('shows a patch with its stable status and series on one page, and no scenario panel on mail no scenario concerns', async () => {
    const dom = await renderedDom(`#/m/${encodeURIComponent('20240904-filemap-recheck-v1-1-ines@example.org')}`);
    expect(dom).toContain('<h2>Stable branches</h2>');
    expect(dom).toContain('6.6.54');
    expect(dom).toContain('<h2>Series</h2>');
    expect(dom).not.toMatch(/>null</);
    const plain = await renderedDom(`#/m/${encodeURIComponent('lumafs-race-tested@example.org')}`);
    expect(plain).not.toContain('No simulator scenario models');
    // That sentence is the home page's: what a message page would show is the panel itself.
    expect(plain).toContain('<h2>Message</h2>');
    expect(plain).not.toContain('<h2>Simulator scenarios</h2>');
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
    // A cell of the matrix opens that branch's timeline, its row marked.
    const { page, problems } = await newPage();
    try {
      await open(page, '#/stable');
      const row = page.locator('table.stable-matrix tbody tr', { hasText: 'mm/filemap: recheck folio->mapping after the batch lookup' });
      const cell = row.locator('a.cell-link', { hasText: 'released' });
      expect(await cell.getAttribute('href')).toBe('#/fix/f53fddcf4fb819e21ff25072bc8f1ae3a54e0755?branch=6.6');
      await cell.click();
      await page.waitForSelector('tr.landed');
      expect(await page.locator('tr.landed').getAttribute('data-branch')).toBe('6.6');
      expect(await page.locator('tr.landed').textContent()).toContain('released in 6.6.54');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('the home page says what the archive holds and builds its examples from it', async () => {
    const dom = await renderedDom('#/');
    expect(dom).toMatch(/41 messages in 13 threads from <a href="#\/search\?q=l%3Alinux-mm.kvack.org">linux-mm.kvack.org<\/a> \(23\)/);
    expect(dom).toContain('2024-09-02 to 2024-10-15');
    expect(dom).toContain('<code>dfn:fs/lumafs/file.c</code>');
    expect(dom).toContain('<h2>Recent races</h2>');
    // Only the scenario some sample mail relates to is listed, not the whole directory.
    expect(dom).toContain('filemap_get_pages() batch lookup vs truncate');
    expect(dom).not.toContain('000-thp-write-open-purge');
  }, 90_000);

  it('reads a thread as a conversation: every message inline, quotes folded, diffs and trailers set apart, j/k, flat by date', async () => {
    const { page, problems } = await newPage();
    try {
      await open(page, `#/t/${encodeURIComponent('lumafs-race-report@example.org')}`);
      const thread = (await (await fetch(`${base}api/threads/lumafs-race-report%40example.org`)).json()) as { messages: number };
      await expect.poll(() => page.locator('article.card').count()).toBe(thread.messages);
      // Bodies arrive as cards near the screen: the first ones are there without scrolling.
      await page.waitForSelector('article.card >> nth=0 >> pre.owntext');
      const first = page.locator('article.card').first();
      expect(await first.locator('.card-body').textContent()).toContain('we lose the last write');
      // The suggestion with its diff: added lines, hunk header as a link to its block.
      const diffCard = page.locator('article.card', { has: page.locator('pre.diff') }).first();
      await diffCard.scrollIntoViewIfNeeded();
      await diffCard.locator('.d-add').first().waitFor();
      expect(await diffCard.locator('.d-add').first().textContent()).toContain('folio_lock(folio);');
      expect(await diffCard.locator('a.d-hunk').first().getAttribute('href')).toMatch(/^#\/t\/lumafs-race-report%40example.org\?m=lumafs-race-idea%40example.net&b=\d+$/);
      // Each card: a permalink into the thread and how to reply to it.
      expect(await first.locator('a.permalink').getAttribute('href')).toBe('#/t/lumafs-race-report%40example.org?m=lumafs-race-report%40example.org');
      await first.getByRole('button', { name: 'reply' }).click();
      expect(await first.locator('.reply-how pre').textContent()).toBe("git send-email --in-reply-to='<lumafs-race-report@example.org>' --to=... 0001-*.patch");
      // j moves to the next message.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      expect(await page.locator('article.card.current').count()).toBe(1);
      // Flat by date, and a permalink lands on its message.
      await open(page, `#/t/${encodeURIComponent('lumafs-race-report@example.org')}?order=date&m=${encodeURIComponent('lumafs-race-tested@example.org')}`);
      await page.waitForSelector('.conversation.flat article.card.current');
      const landed = page.locator('article.card.current');
      expect(await landed.getAttribute('data-mid')).toBe('lumafs-race-tested@example.org');
      expect(await landed.locator('ul.trailer-lines li').allTextContents()).toContain('Tested-by: Tomas Reyes <tomas.reyes@example.org>');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('journey: search -> thread -> race -> proposed fix -> run its scenario -> copy evidence', async () => {
    const { page, problems } = await newPage();
    try {
      await open(page, '#/');
      await page.fill('#q', 'stale folio truncate');
      await page.press('#q', 'Enter');
      await page.waitForSelector('ol.hits');
      await page.locator('.hit', { hasText: '[BUG] mm/filemap: stale folio returned after concurrent truncate' }).first().getByRole('link', { name: 'thread' }).click();
      await page.waitForSelector('article.card');
      expect(await page.locator('h1').textContent()).toBe('[BUG] mm/filemap: stale folio returned after concurrent truncate');
      // The race this thread is about, from the races index.
      await page.getByRole('link', { name: 'races', exact: true }).click();
      await page.waitForSelector('table.races');
      await page.getByRole('link', { name: 'mm/filemap: stale folio returned after concurrent truncate' }).click();
      await page.waitForSelector('table.fixes');
      // A fact links to its sentence: the thread opens scrolled to that block, highlighted.
      const outcome = page.locator('table.facts tr', { hasText: 'outcome' }).locator('a.evidence-link');
      const sentence = (await outcome.textContent())!.replace(/^“|”$/g, '');
      await outcome.click();
      await page.waitForSelector('.landed');
      expect((await page.locator('.landed').textContent())!.replace(/\s+/g, ' ')).toContain(sentence.replace(/\s+/g, ' ').slice(0, 40));
      expect(await page.locator('.landed').isVisible()).toBe(true);
      await page.goBack();
      await page.waitForSelector('table.fixes');
      // The patch that became a commit shows its stable status per branch.
      const stableCell = page.locator('table.fixes tr', { hasText: 'recheck folio->mapping after the batch lookup' }).locator('td').nth(4);
      expect((await stableCell.textContent())!.replace(/\s+/g, ' ')).toContain('6.6 released');
      // Objections come first among a fix's stances, with their author and sentence.
      const stances = await page.locator('ul.stances').first().locator('li').allTextContents();
      expect(stances.length).toBeGreaterThan(0);
      // web/lib/evidence-text.js STANCE_ORDER: what must be answered first.
      const order = ['nacked', 'objection', 'changes-requested', 'question', 'tested', 'reviewed', 'acked', 'agreement'];
      let mixed = 0;
      for (const list of await page.locator('ul.stances').all()) {
        const ranks = (await list.locator('> li > strong').allTextContents()).map((k) => order.indexOf(k));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        if (new Set(ranks).size > 1) mixed++;
      }
      expect(mixed).toBeGreaterThan(0);
      // The fix modelled by a scenario variant: its page, then its run button.
      const fixLink = page.locator('table.fixes tr', { has: page.locator('a.button', { hasText: 'run' }) }).first().locator('td').first().locator('a');
      const fixTitle = (await fixLink.textContent())!;
      await fixLink.click();
      await page.waitForSelector('h1');
      expect(await page.locator('h1').textContent()).toBe(fixTitle);
      await page.locator('a.button', { hasText: 'run' }).first().click();
      await page.waitForSelector('.verdict .badge');
      expect(['holds', 'violated']).toContain(await page.locator('.verdict .badge').textContent());
      // Back on the race: copy its evidence.
      await open(page, '#/races');
      await page.getByRole('link', { name: 'mm/filemap: stale folio returned after concurrent truncate' }).click();
      await page.waitForSelector('button.copy');
      await page.click('button.copy');
      await page.waitForSelector('.copy-evidence [role=status]:has-text("copied")');
      const text = await page.evaluate(() => navigator.clipboard.readText());
      expect(text).toMatch(/^Race: mm\/filemap: stale folio returned after concurrent truncate\n/);
      expect(text).toContain('https://lore.kernel.org/r/race-report-1@example.org');
      expect(text).toContain('npx loregraph sim run 005-filemap-stale-folio-truncate --variant recheck_last_folio --config two_folio_batch');
      // The report is where it was discussed too: Closes: it, not a Link: to the same thread as well.
      expect(text).toMatch(/\n\nCloses: https:\/\/lore\.kernel\.org\/r\/race-report-1@example\.org$/);
      expect(text).not.toContain('Link: https://lore.kernel.org/r/race-report-1@example.org');
      // Stances are quoted with their author and link, as a reply quotes.
      expect(text).toMatch(/\n {2}question from Mira Kowalczyk \(https:\/\/lore\.kernel\.org\/r\/race-tested-5@example\.org\):\n {2}> \S/);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('race page: each sentence quoted once with what it shows, threads by subject, stable copies of a fix linked', async () => {
    const all = listRaces(db).races;
    const lumafs = all.find((r) => r.title.startsWith('lumafs:'))!;
    const filemap = all.find((r) => r.title.startsWith('mm/filemap:'))!;
    const { page, problems } = await newPage();
    // "Has this a series?" is asked as a question (204 for no): no failed load for the browser to log
    const notFound: string[] = [];
    page.on('response', (r) => void (r.status() === 404 && notFound.push(r.url())));
    try {
      // An id abbreviated to r- and 8 digits (as ids once were) opens the race; the page gives the full id, in the address too.
      await open(page, `#/race/${lumafs.id.slice(0, 10)}`);
      expect(await page.locator('table.facts code.race-id').textContent()).toBe(lumafs.id);
      expect(await page.evaluate(() => location.hash)).toBe(`#/race/${lumafs.id}`);

      // The races index says what it is narrowed by, and links back to all of them.
      await open(page, '#/races?file=filemap.c&outcome=stale-result');
      expect(await page.locator('p.status').textContent()).toBe('1 race with file filemap.c, outcome stale-result · show all');
      expect(await page.locator('table.races tbody tr').allTextContents()).toEqual([expect.stringContaining('mm/filemap: stale folio returned after concurrent truncate')]);
      await page.locator('p.status a', { hasText: 'show all' }).click();
      await page.waitForSelector('p.status:text-is("2 races")');

      await open(page, `#/race/${encodeURIComponent(lumafs.id)}`);
      // The report's subject gives three reasons; it is quoted once, with the three listed.
      const quotes = await page.locator('ul.reasons > li > a.evidence-link').allTextContents();
      expect(new Set(quotes).size).toBe(quotes.length);
      const subject = page.locator('ul.reasons > li', { hasText: '“[BUG] lumafs: lost write when lumafs_page_mkwrite() races with lumafs_writepages()”' });
      expect(await subject.count()).toBe(1);
      expect(await subject.locator('.reason-kind').allTextContents()).toEqual(['says “race”', 'what it breaks', 'bug report']);
      expect(await subject.locator('a.evidence-link').getAttribute('href')).toBe('#/t/lumafs-race-report%40example.org?m=lumafs-race-report%40example.org');
      // The diagram is named as one, not quoted as if its heading row were a sentence.
      const diagram = page.locator('ul.reasons > li', { has: page.locator('.reason-kind', { hasText: 'interleaving diagram' }) });
      expect(await diagram.locator('a.evidence-link').textContent()).toBe('the interleaving diagram: CPU0 (writeback) CPU1 (write fault)');

      // A stance's sentence opens its thread with those words highlighted, not only the block.
      const said = page.locator('ul.stances a.evidence-link[href*="&w="]').first();
      const sentence = (await said.textContent())!.replace(/^“|”$/g, '').replace(/\s+/g, ' ');
      await said.click();
      await page.waitForSelector('.landed');
      const lit = await page.evaluate(() => [...(CSS.highlights.get('landed-words') ?? [])].map((r) => r.toString()));
      expect(lit).toHaveLength(1);
      expect(lit[0]!.replace(/\s+/g, ' ')).toBe(sentence);

      await open(page, `#/race/${encodeURIComponent(filemap.id)}`);
      expect(await page.locator('section h2', { hasText: 'Threads' }).textContent()).toBe('Threads (4)');
      const threads = page.locator('ol.threads > li');
      expect(await threads.count()).toBe(4);
      const first = threads.nth(0);
      expect(await first.locator('> a').textContent()).toBe('[BUG] mm/filemap: stale folio returned after concurrent truncate');
      expect(await first.locator('> a').getAttribute('href')).toBe('#/t/race-report-1%40example.org');
      expect(await first.locator('.meta').allTextContents()).toEqual([' — where it was reported', 'Mira Kowalczyk, 2024-09-02 08:00 .. 2024-09-03 06:00, 6 messages']);
      // The review series is listed with the one patch of its 150 the race is about.
      const review = threads.filter({ hasText: '[PATCH 6.12 000/150] 6.12.2-rc1 review' });
      const part = review.locator('.meta a');
      expect(await part.textContent()).toBe('[PATCH 6.12 013/150] mm/filemap: recheck folio->mapping after the batch lookup in filemap_get_pages()');
      expect(await part.getAttribute('href')).toBe('#/t/20241001-6.12.2-rc1-review-gregor%40example.org?m=20241001-6.12-013-gregor%40example.org');
      // The patch's stable copies sit under it, each named by its tags and linked to the copy.
      const copies = page.locator('table.fixes tr', { hasText: 'recheck folio->mapping after the batch lookup' }).locator('.copies a');
      expect(await copies.allTextContents()).toEqual(['[PATCH 6.1.y]', '[PATCH 6.12 013/150]']);
      expect(await copies.nth(1).getAttribute('href')).toBe('#/t/20241001-6.12-013-gregor%40example.org?m=20241001-6.12-013-gregor%40example.org');
      await copies.nth(1).click();
      await page.waitForSelector('.landed');
      expect(await page.locator('.landed').getAttribute('data-mid')).toBe('20241001-6.12-013-gregor@example.org');
      // A thread of the family says which race it is read as, back to the race page.
      await page.waitForSelector('.thread-races a');
      expect(await page.locator('.thread-races a').allTextContents()).toEqual(['mm/filemap: stale folio returned after concurrent truncate']);
      expect(await page.locator('.thread-races a').getAttribute('href')).toBe(`#/race/${filemap.id}`);
      // The evidence a reviewer pastes quotes each sentence once and names the threads.
      await page.goBack();
      await page.waitForSelector('pre.evidence-text', { state: 'attached' });
      const text = (await page.locator('pre.evidence-text').textContent())!;
      expect(text).toContain('\nThreads:\n- [BUG] mm/filemap: stale folio returned after concurrent truncate\n  https://lore.kernel.org/r/race-report-1@example.org\n');
      // the review series by the patch of it the race is about, not by its cover letter
      expect(text).toContain('\n- [PATCH 6.12 013/150] mm/filemap: recheck folio->mapping after the batch lookup in filemap_get_pages()\n  https://lore.kernel.org/r/20241001-6.12-013-gregor@example.org\n');
      expect(text).not.toContain('6.12.2-rc1 review');
      expect(notFound).toEqual([]);
      expect(text).toContain('  stable copies:\n    [PATCH 6.1.y] mm/filemap: recheck folio->mapping after the batch lookup in filemap_get_pages()\n      https://lore.kernel.org/r/20240925-backport-6.1-ines@example.org\n');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('opens the message a pasted Message-ID or lore link names, and searches for one not stored', async () => {
    const { page, problems } = await newPage();
    try {
      await open(page, '#/');
      for (const pasted of [
        '<race-report-1@example.org>',
        'https://lore.kernel.org/linux-mm/race-report-1@example.org/',
        'https://lore.kernel.org/all/race-report-1@example.org/T/#u',
        'https://lore.kernel.org/r/race-report-1%40example.org',
        'https://patch.msgid.link/race-report-1@example.org',
      ]) {
        await page.evaluate(() => document.querySelector('main .view')?.setAttribute('data-stale', ''));
        await page.fill('#q', pasted);
        await page.press('#q', 'Enter');
        await page.waitForSelector('main .view:not([aria-busy]):not([data-stale])');
        expect(await page.evaluate(() => location.hash), pasted).toBe('#/m/race-report-1%40example.org');
        expect(await page.locator('h1').textContent()).toBe('[BUG] mm/filemap: stale folio returned after concurrent truncate');
      }
      await page.fill('#q', 'https://lore.kernel.org/linux-mm/nowhere@example.org/');
      await page.press('#q', 'Enter');
      await page.waitForSelector('.view:has-text("0 matches")');
      expect(await page.evaluate(() => location.hash)).toMatch(/^#\/search\?q=/);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('shows a message full of markup as text, and opens a Message-ID with URL-hostile characters', async () => {
    const dom = await renderedDom(`#/m/${encodeURIComponent(MARKUP_ID)}`, hostileBase);
    expect(dom).toContain('<h1>&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt; readahead question</h1>');
    expect(dom).toContain('&lt;script&gt;alert("readahead")&lt;/script&gt;');
    expect(dom).not.toMatch(/<img|<b>bold|<script>alert/);
    const odd = await renderedDom(`#/m/${encodeURIComponent(HOSTILE_ID)}`, hostileBase);
    expect(odd).toContain(`&lt;${HOSTILE_ID}&gt;`);
    expect(odd).not.toContain('class="error"');
  }, 90_000);

  it('keeps hostile mail as text on every page: script tags, javascript: links, </textarea>, RTL overrides', async () => {
    const race = listRaces(hostileDb!).races.find((r) => r.title.includes('hostfs'));
    expect(race).toBeDefined();
    const enc = encodeURIComponent;
    const pages = [
      '#/',
      '#/search?q=hostfs',
      '#/races',
      `#/race/${enc(race!.id)}`,
      `#/proposed/${enc(`${HOSTILE_PATCH_ID}#0`)}`,
      `#/t/${enc(HOSTILE_REPORT_ID)}`,
      `#/t/${enc(HOSTILE_REPORT_ID)}?order=date&m=${enc(HOSTILE_OBJECTION_ID)}`,
      `#/m/${enc(HOSTILE_REPORT_ID)}`,
      `#/m/${enc(HOSTILE_PATCH_ID)}`,
    ];
    for (const hash of pages) {
      const { page, problems } = await newPage();
      try {
        await open(page, hash, hostileBase);
        // Let lazily loaded bodies and side panels arrive.
        await page.waitForTimeout(300);
        const html = await page.content();
        expect(html, hash).not.toMatch(/<script>alert|<img src=x|<b>bold|<textarea/i);
        expect(await page.locator('a[href^="javascript:" i]').count(), hash).toBe(0);
        expect(await page.locator('img, iframe, object, embed').count(), hash).toBe(0);
        expect(problems, hash).toEqual([]);
      } finally {
        await page.close();
      }
    }
    // The hostile words are there, as text: the race's title, the names, the objection.
    const { page } = await newPage();
    try {
      await open(page, `#/race/${enc(race!.id)}`, hostileBase);
      // The override is spelled out, so it cannot reverse the words after it.
      expect(race!.title).toContain('<script>alert(1)</script> \u202Etxt.exe');
      expect(await page.locator('h1').textContent()).toBe(race!.title.replace('\u202E', '[U+202E]'));
      expect(await page.locator('body').textContent()).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
      expect(await page.locator('ul.stances li.objection').textContent()).toContain('<script>alert(10)</script>');
      // The evidence a reviewer pastes spells the override out as well.
      const evidence = (await page.locator('pre.evidence-text').textContent())!;
      expect(evidence).toContain('Race: hostfs: lost write <script>alert(1)</script> [U+202E]txt.exe</textarea>');
      expect(evidence).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
      await open(page, `#/t/${enc(HOSTILE_REPORT_ID)}`, hostileBase);
      await page.waitForSelector('article.card >> nth=0 >> pre.owntext');
      expect(await page.locator('article.card').first().locator('.author').textContent()).toBe('Eve [U+202E]<img src=x onerror=alert(2)>');
      expect(await page.locator('article.card').first().textContent()).toContain('<a href="javascript:alert(3)">click here</a> </textarea><b>bold</b>');
    } finally {
      await page.close();
    }
  }, 240_000);
});
