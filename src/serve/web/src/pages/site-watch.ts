/**
 * Site watch (issue 15): the tracked sites with their state in words, one site's captures over
 * time coloured by verdict, the visual diff of two captures (text diff and a screenshot pair
 * rendered from the archive), and one capture with its archive record and its replay in a
 * sandboxed frame. Every string that came from a watched page is set as text, never as markup;
 * the replay runs in a frame whose server-side policy forbids scripts and outside loads.
 */
import { ApiFailure, get, qs } from '../api.ts';
import { chart } from '../charts.ts';
import { count, fields, h, mount, table, time, type Child } from '../dom.ts';
import { navigate, type Page } from '../main.ts';

export const VERDICTS = ['reachable', 'updated', 'defaced', 'injected', 'taken_down', 'down', 'blocked'] as const;
/** One colour per verdict: calm for the healthy ones, alarming for what happened to the site. */
export const VERDICT_COLORS: Record<string, string> = {
  reachable: '#27ae60', updated: '#2e86c1', defaced: '#c0392b', injected: '#d35400', taken_down: '#6c3483', down: '#7f8c8d', blocked: '#b7950b',
};
/** What each verdict means, in words (the badge's tooltip and the legend). */
export const VERDICT_TEXT: Record<string, string> = {
  reachable: 'reachable: unchanged (boilerplate aside)', updated: 'updated: an ordinary content change', defaced: 'defaced: main content replaced',
  injected: 'injected: spam, hidden links, frames or scripts added', taken_down: 'taken down: gone (404/410), parked or a shutdown notice',
  down: 'down: no answer', blocked: 'blocked: the blocking probe found it blocked', unchecked: 'not visited yet',
};
const label = (v: string) => (v === 'taken_down' ? 'taken down' : v);

interface Summary { id: number; at: number; status: number | null; verdict: string; reasons: string[]; digest: string | null; recordId: number | null; errorCode: string | null }
interface Site {
  id: number; url: string; name: string | null; everyMs: number; every: string; category: string | null; enabled: boolean; addedAt: number; nextCheckAt: number;
  state: string | null; stateSince: number | null; webhook: string | null;
}
interface ListItem extends Site { last: Summary | null; byVerdict: Record<string, number> }
interface SiteDetail {
  site: Site; byVerdict: Record<string, number>; chart: { points: Array<[number, string, number]>; truncated: boolean };
  captures: { total: number; items: Array<Summary & { title: string | null }>; next: number | null }; wacz: { command: string };
}
interface Capture extends Summary {
  siteId: number; site: { id: number; url: string; name: string | null }; finalUrl: string | null; title: string | null; change: unknown;
  baselineId: number | null; probeMeasurementId: number | null; previousId: number | null; nextId: number | null;
  record: { id: number; type: string; warcRecordId: string; file: string; offset: number; length: number; targetUri: string; date: number; payloadDigest: string | null;
    httpStatus: number | null; contentType: string | null; revisitOf: { id: number; warcRecordId: string; file: string; date: number } | null } | null;
  replay: string | null; screenshot: string | null; wacz: { command: string };
}
interface Side { id: number; at: number; status: number | null; verdict: string; reasons: string[]; title: string | null; digest: string | null }
interface Diff { siteId: number; a: Side; b: Side; hunks: Array<{ op: 'add' | 'remove' | 'equal'; lines: string[] }>; added: number; removed: number }

const utc = (ms: number | null) => (ms == null ? '—' : time(ms).replace(/Z$/, ' UTC'));

/** A verdict (or state) in words with its colour. */
export function verdictBadge(v: string | null): HTMLElement {
  const key = v ?? 'unchecked';
  return h('span', { class: `badge v-${key.replace(/[^a-z_]/g, '')}`, title: VERDICT_TEXT[key] ?? key }, v ? label(v) : 'not visited yet');
}

function reasonList(reasons: string[]): HTMLElement {
  return reasons.length ? h('ul', { class: 'reasons text' }, reasons.map((r) => h('li', null, r))) : h('span', { class: 'muted' }, 'no reason given');
}

function statusText(c: { status: number | null; errorCode: string | null }): string {
  return c.status != null ? `HTTP ${c.status}` : c.errorCode ? `no answer (${c.errorCode})` : 'no answer';
}

/** The counts of a site's captures by verdict, as words: "reachable 3 · updated 2". */
function countsText(by: Record<string, number>): string {
  const parts = VERDICTS.filter((v) => by[v]).map((v) => `${label(v)} ${count(by[v])}`);
  return parts.length ? parts.join(' · ') : 'no capture yet';
}

function siteName(s: { url: string; name: string | null }): Child {
  return s.name ? [h('span', { class: 'site-name' }, s.name), ' ', h('span', { class: 'muted site-url' }, s.url)] : h('span', { class: 'site-url' }, s.url);
}

export const siteWatchPage: Page = {
  pattern: /^\/site-watch$/,
  title: 'Site watch',
  nav: '/site-watch',
  async render(root, ctx) {
    const state = ctx.query.get('state') ?? '';
    const q = ctx.query.get('q') ?? '';
    const offset = Number(ctx.query.get('offset') ?? 0) || 0;
    const list = await get<{ total: number; items: ListItem[]; next: number | null; states: Record<string, number> }>(`/api/site-watch/sites${qs({ state, q, offset, limit: 50 })}`, ctx.signal);
    const select = h('select', { name: 'state', id: 'f-state' }, h('option', { value: '' }, 'any state'),
      [...VERDICTS, 'unchecked'].filter((s) => list.states[s]).map((s) => {
        const o = h('option', { value: s }, `${s === 'unchecked' ? 'not visited yet' : label(s)} (${count(list.states[s])})`);
        if (s === state) o.selected = true;
        return o;
      }));
    const form = h('form', { class: 'filters', id: 'site-watch-filters' }, select,
      h('input', { name: 'q', id: 'f-q', placeholder: 'URL or name contains', value: q }), h('button', { type: 'submit' }, 'Filter'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      navigate(`/site-watch${qs({ state: String(data.get('state') ?? ''), q: String(data.get('q') ?? '').trim() })}`);
    });
    const rows = list.items.map((s): Child[] => [
      h('a', { href: `/site-watch/${s.id}`, class: 'site-link' }, siteName(s)),
      verdictBadge(s.state),
      s.stateSince ? utc(s.stateSince) : '—',
      s.last ? h('a', { href: `/site-watch/captures/${s.last.id}` }, `${utc(s.last.at)}, ${statusText(s.last)}`) : 'not visited yet',
      countsText(s.byVerdict),
      `every ${s.every}${s.enabled ? '' : ' (paused)'}`,
      s.category ?? '—',
    ]);
    mount(root,
      h('h1', null, 'Site watch'),
      h('p', { class: 'muted' }, 'Websites revisited on a schedule (censorscope site add URL): each visit is archived as WARC evidence and classified as reachable, updated, defaced, injected, taken down, down or blocked. The state is the latest verdict. Times are UTC.'),
      form,
      h('p', { class: 'muted', id: 'site-watch-count' }, list.total === 1 ? '1 site matches.' : `${count(list.total)} sites match.`),
      h('div', { id: 'site-watch-table', class: 'panel' }, table(['site', 'state', 'since', 'latest capture', 'captures by verdict', 'revisited', 'test-list category'], rows)),
      list.next !== null ? h('a', { class: 'more', id: 'site-watch-next', href: `/site-watch${qs({ state, q, offset: list.next })}` }, 'More sites →') : null,
    );
  },
};

/** Links to a page of captures. */
function pager(id: number, verdict: string, offset: number, total: number, next: number | null): HTMLElement | null {
  if (offset === 0 && next === null) return null;
  return h('p', { class: 'pager' },
    offset > 0 ? h('a', { href: `/site-watch/${id}${qs({ verdict, offset: Math.max(0, offset - 50) })}`, id: 'captures-prev' }, '← Newer') : null, ' ',
    `captures ${count(offset + 1)}–${count(Math.min(total, offset + 50))} of ${count(total)}`, ' ',
    next !== null ? h('a', { href: `/site-watch/${id}${qs({ verdict, offset: next })}`, id: 'captures-next' }, 'Older →') : null);
}

export const siteWatchSitePage: Page = {
  pattern: /^\/site-watch\/(\d+)$/,
  title: 'Tracked site',
  nav: '/site-watch',
  async render(root, ctx) {
    const id = Number(ctx.params[0]);
    const verdict = ctx.query.get('verdict') ?? '';
    const offset = Number(ctx.query.get('offset') ?? 0) || 0;
    const d = await get<SiteDetail>(`/api/site-watch/sites/${id}${qs({ verdict, offset, limit: 50 })}`, ctx.signal);
    const s = d.site;
    const items = d.captures.items;
    const chartEl = h('div', { class: 'chart', id: 'chart-site-watch' });
    const chosen = new Set<number>();
    const compare = h('button', { type: 'button', id: 'compare' }, 'Compare the two chosen captures');
    compare.disabled = true;
    const rows = items.map((c, i): Child[] => {
      const box = h('input', { type: 'checkbox', name: 'pick', value: String(c.id) });
      box.setAttribute('aria-label', `choose the capture of ${utc(c.at)} to compare`);
      box.addEventListener('change', () => {
        if (box.checked) chosen.add(c.id);
        else chosen.delete(c.id);
        compare.disabled = chosen.size !== 2;
      });
      const older = items[i + 1];
      return [
        box,
        h('a', { href: `/site-watch/captures/${c.id}`, class: 'capture-link' }, utc(c.at)),
        verdictBadge(c.verdict),
        statusText(c),
        c.title ? h('span', { class: 'text' }, c.title) : '—',
        reasonList(c.reasons),
        older ? h('a', { href: `/site-watch/${s.id}/diff${qs({ a: older.id, b: c.id })}`, class: 'diff-link' }, 'changes since the one before') : '—',
      ];
    });
    compare.addEventListener('click', () => {
      const [x, y] = [...chosen].map((cid) => items.find((c) => c.id === cid)!).sort((p, r) => p.at - r.at || p.id - r.id);
      navigate(`/site-watch/${s.id}/diff${qs({ a: x!.id, b: y!.id })}`);
    });
    const filter = h('select', { name: 'verdict', id: 'f-verdict' }, h('option', { value: '' }, 'every verdict'),
      VERDICTS.filter((v) => d.byVerdict[v]).map((v) => {
        const o = h('option', { value: v }, `${label(v)} (${count(d.byVerdict[v])})`);
        if (v === verdict) o.selected = true;
        return o;
      }));
    const form = h('form', { class: 'filters', id: 'capture-filters' }, filter, h('button', { type: 'submit' }, 'Show'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      navigate(`/site-watch/${s.id}${qs({ verdict: String(new FormData(form).get('verdict') ?? '') })}`);
    });
    mount(root,
      h('h1', null, 'Tracked site: ', h('span', { class: 'term' }, s.name ?? s.url)),
      h('p', null, h('a', { href: s.url, external: true, id: 'site-live-link' }, s.url), ' ', h('span', { class: 'muted' }, '(the live site, opened in a new tab)')),
      h('dl', { class: 'facts', id: 'site-watch-facts' },
        h('dt', null, 'state'), h('dd', null, verdictBadge(s.state), s.stateSince ? ` since ${utc(s.stateSince)}` : ''),
        h('dt', null, 'revisited'), h('dd', null, `every ${s.every}${s.enabled ? `, next visit due ${utc(s.nextCheckAt)}` : ' (paused)'}`),
        h('dt', null, 'tracked since'), h('dd', null, utc(s.addedAt)),
        h('dt', null, 'captures'), h('dd', null, `${count(Object.values(d.byVerdict).reduce((a, b) => a + b, 0))}: ${countsText(d.byVerdict)}`),
        h('dt', null, 'alerts'), h('dd', null, s.webhook ? 'this site\'s own webhook is called on each change of state' : 'the global webhook (setting site.webhook), if one is set'),
        h('dt', null, 'evidence'), h('dd', null, 'export every capture as a WACZ package: ', h('code', { id: 'wacz-command' }, d.wacz.command))),
      h('section', { class: 'panel' },
        h('h2', null, 'Captures over time (UTC), coloured by verdict'),
        h('p', { class: 'muted' }, 'Each mark is one visit, on the row of its verdict. Click a mark to open that capture.'),
        d.chart.points.length ? chartEl : h('p', { class: 'muted' }, 'Not visited yet.'),
        d.chart.truncated ? h('p', { class: 'muted' }, `The chart draws the ${count(d.chart.points.length)} most recent captures.`) : null),
      h('section', { class: 'panel', id: 'site-captures' },
        h('h2', null, `Captures, newest first (${count(d.captures.total)}${verdict ? ` ${label(verdict)}` : ''})`),
        form,
        h('p', { class: 'muted' }, 'Tick two captures and compare them, or follow "changes since the one before".'),
        h('p', null, compare),
        table(['compare', 'captured (UTC)', 'verdict', 'answer', 'page title', 'why', 'diff'], rows),
        pager(s.id, verdict, offset, d.captures.total, d.captures.next)),
    );
    if (!d.chart.points.length) return;
    const drawn = VERDICTS.filter((v) => d.chart.points.some((p) => p[1] === v));
    chartEl.dataset.legend = drawn.join(',');
    chartEl.dataset.colors = drawn.map((v) => VERDICT_COLORS[v]).join(',');
    chartEl.dataset.xAxis = 'time of capture (UTC)';
    chartEl.setAttribute('aria-label', `Captures of ${s.url} over time (UTC), by verdict: ${drawn.map(label).join(', ')}`);
    const c = chart(chartEl, {
      legend: { top: 0, data: drawn.map(label) },
      grid: { left: 20, right: 30, top: 40, bottom: 50, containLabel: true },
      tooltip: { trigger: 'item', renderMode: 'richText', formatter: (p: { value: [number, string, number] }) => `${utc(p.value[0])}\n${VERDICT_TEXT[p.value[1]] ?? p.value[1]}` },
      xAxis: { type: 'time', name: 'time of capture (UTC)', nameLocation: 'middle', nameGap: 30, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'category', data: drawn.map(label), name: 'verdict', nameLocation: 'start', nameGap: 12, inverse: true },
      series: drawn.map((v) => ({
        name: label(v), type: 'scatter', symbol: 'rect', symbolSize: [6, 16], itemStyle: { color: VERDICT_COLORS[v] },
        data: d.chart.points.filter((p) => p[1] === v).map((p) => [p[0], label(v), p[2]]),
      })),
    });
    c.on('click', (p) => {
      const v = (p as { value?: [number, string, number] }).value;
      if (v) navigate(`/site-watch/captures/${v[2]}`);
    });
  },
};

/** A screenshot from the API, or the API's sentence why there is none (Chromium missing, nothing archived). */
function screenshot(id: number, side: string): HTMLElement {
  const box = h('figure', { class: 'shot', id: `shot-${side}` });
  const img = h('img', { title: `capture ${id} rendered from the archive` });
  img.alt = `Screenshot of capture ${id}, rendered from the archive`;
  img.addEventListener('load', () => { box.dataset.state = 'ready'; });
  img.addEventListener('error', () => {
    void (async () => {
      let why = 'The screenshot could not be rendered.';
      try {
        await get(`/api/site-watch/captures/${id}/screenshot.png`);
      } catch (err) {
        if (err instanceof ApiFailure || err instanceof Error) why = err.message;
      }
      img.remove();
      box.dataset.state = 'none';
      mount(box, h('p', { class: 'muted shot-missing' }, why));
    })();
  });
  img.setAttribute('src', `/api/site-watch/captures/${id}/screenshot.png`);
  mount(box, img);
  return box;
}

function sideFacts(s: Side, which: string): HTMLElement {
  return h('div', { class: 'diff-side', id: `side-${which}` },
    h('h3', null, which === 'a' ? 'Before: ' : 'After: ', h('a', { href: `/site-watch/captures/${s.id}` }, utc(s.at))),
    h('p', null, verdictBadge(s.verdict), ` ${statusText({ status: s.status, errorCode: null })}`),
    h('p', { class: 'text side-title' }, s.title ? `Title: ${s.title}` : 'No page title.'),
    reasonList(s.reasons));
}

export const siteWatchDiffPage: Page = {
  pattern: /^\/site-watch\/(\d+)\/diff$/,
  title: 'Capture diff',
  nav: '/site-watch',
  async render(root, ctx) {
    const a = ctx.query.get('a') ?? '';
    const b = ctx.query.get('b') ?? '';
    const d = await get<Diff>(`/api/site-watch/diff${qs({ a, b })}`, ctx.signal);
    const line = (op: string, text: string) => h('div', { class: `diff-line d-${op}` },
      h('span', { class: 'diff-mark' }, op === 'add' ? '+' : op === 'remove' ? '−' : ' '), h('span', { class: 'text' }, text || ' '));
    // Long unchanged runs fold to their first and last lines, so the changes stay in view.
    const lines = d.hunks.flatMap((p) => (p.op === 'equal' && p.lines.length > 6
      ? [...p.lines.slice(0, 2).map((l) => line('equal', l)), h('div', { class: 'diff-line d-fold muted' }, `… ${count(p.lines.length - 4)} unchanged lines …`), ...p.lines.slice(-2).map((l) => line('equal', l))]
      : p.lines.map((l) => line(p.op, l))));
    mount(root,
      h('h1', null, 'What changed between two captures'),
      h('p', null, h('a', { href: `/site-watch/${d.siteId}` }, '← All captures of this site')),
      h('section', { class: 'panel grid2', id: 'diff-sides' }, sideFacts(d.a, 'a'), sideFacts(d.b, 'b')),
      h('section', { class: 'panel', id: 'diff-text' },
        h('h2', null, `Text: ${count(d.added)} lines added, ${count(d.removed)} removed`),
        h('p', { class: 'muted' }, 'The pages\' main text after dates, counters and rotating boilerplate are normalised away: lines marked + appear only after, lines marked − only before.'),
        lines.length ? h('div', { class: 'diff' }, lines) : h('p', { class: 'muted' }, 'Neither capture holds any text.')),
      h('section', { class: 'panel', id: 'diff-shots' },
        h('h2', null, 'As rendered (from the archive, JavaScript off, nothing loaded from the live web)'),
        h('div', { class: 'grid2 shots' }, screenshot(d.a.id, 'a'), screenshot(d.b.id, 'b'))),
    );
  },
};

export const siteWatchCapturePage: Page = {
  pattern: /^\/site-watch\/captures\/(\d+)$/,
  title: 'Capture',
  nav: '/site-watch',
  async render(root, ctx) {
    const c = await get<Capture>(`/api/site-watch/captures/${ctx.params[0]}`, ctx.signal);
    const dl = (pairs: Array<[string, Child]>) => h('dl', { class: 'facts' }, pairs.map(([k, x]) => [h('dt', null, k), h('dd', null, x)]));
    const r = c.record;
    let frame: HTMLElement;
    if (c.replay) {
      const iframe = h('iframe', { id: 'replay-frame', title: `The archived page of ${utc(c.at)}, replayed` });
      // Belt and braces: the frame is sandboxed here, and the replay's own policy sandboxes it again.
      iframe.setAttribute('sandbox', '');
      iframe.setAttribute('referrerpolicy', 'no-referrer');
      iframe.setAttribute('src', c.replay);
      frame = h('div', null, iframe, h('p', null, h('a', { href: c.replay, external: true, id: 'replay-open' }, 'Open the replay on its own')));
    } else {
      frame = h('p', { class: 'muted', id: 'replay-none' }, 'Nothing was archived for this capture (the site did not answer), so there is nothing to replay.');
    }
    mount(root,
      h('h1', null, 'Capture of ', h('span', { class: 'term' }, c.site.name ?? c.site.url), ' ', verdictBadge(c.verdict)),
      h('p', null, h('a', { href: `/site-watch/${c.siteId}` }, '← All captures of this site'),
        c.previousId ? [' · ', h('a', { href: `/site-watch/${c.siteId}/diff${qs({ a: c.previousId, b: c.id })}`, id: 'diff-previous' }, 'What changed since the capture before')] : null,
        c.previousId ? [' · ', h('a', { href: `/site-watch/captures/${c.previousId}`, id: 'capture-previous' }, 'Previous capture')] : null,
        c.nextId ? [' · ', h('a', { href: `/site-watch/captures/${c.nextId}`, id: 'capture-next' }, 'Next capture')] : null),
      h('section', { class: 'panel', id: 'capture-facts' }, h('h2', null, 'What came back'),
        dl([['captured', utc(c.at)], ['URL', h('span', { class: 'text' }, c.site.url)], ['answered from', h('span', { class: 'text' }, c.finalUrl ?? '—')],
          ['answer', statusText(c)], ['page title', c.title ? h('span', { class: 'text' }, c.title) : '—'], ['payload digest', h('code', { id: 'capture-digest' }, c.digest ?? '—')]])),
      h('section', { class: 'panel', id: 'capture-verdict' }, h('h2', null, 'Verdict and why'),
        h('p', null, verdictBadge(c.verdict), ' ', VERDICT_TEXT[c.verdict] ?? ''),
        reasonList(c.reasons),
        c.change != null ? [h('h3', null, 'Change against the capture compared with'), fields(c.change)] : null,
        c.baselineId ? h('p', null, h('a', { href: `/site-watch/captures/${c.baselineId}` }, 'The capture it was compared with')) : null),
      h('section', { class: 'panel', id: 'capture-record' }, h('h2', null, 'Archive record (WARC)'),
        r ? dl([['record', `${r.type} ${r.warcRecordId}`], ['file', h('code', null, r.file)], ['offset, length', `${count(r.offset)}, ${count(r.length)} bytes`],
          ['target URI', h('span', { class: 'text' }, r.targetUri)], ['WARC date', utc(r.date)], ['content type', r.contentType ?? '—'],
          ['repeats', r.revisitOf ? `the payload of ${r.revisitOf.warcRecordId} (${utc(r.revisitOf.date)}), unchanged` : 'nothing: the payload is stored here']])
          : h('p', { class: 'muted' }, 'No record: nothing came back to archive.'),
        h('p', null, 'Export the site\'s captures as a WACZ package (ReplayWeb.page, pywb): ', h('code', { id: 'wacz-command' }, c.wacz.command))),
      h('section', { class: 'panel', id: 'capture-replay' }, h('h2', null, 'Replay: the archived page as served'),
        h('p', { class: 'muted' }, 'Served from the archive in a sandbox: no script of the page runs, and nothing is loaded from the live web (parts of the page not archived are left blank).'),
        frame),
      c.screenshot ? h('section', { class: 'panel', id: 'capture-shot' }, h('h2', null, 'Rendered (Chromium, from the archive)'), screenshot(c.id, 'capture')) : null,
    );
  },
};
