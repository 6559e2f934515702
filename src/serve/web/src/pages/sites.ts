/**
 * Website blocking: the sites measured (filters in the URL), one site's availability timeline per
 * network with its measurements and the OONI JSONL download, and one measurement's OONI view.
 */
import { get, qs } from '../api.ts';
import { chart } from '../charts.ts';
import { count, h, table, time, type Child } from '../dom.ts';
import { navigate, type Page } from '../main.ts';

interface Latest { id: number; verdict: string; how: string[]; probe_cc: string; probe_asn: string; measured_at: number }
interface Site {
  host: string; inputs: string[]; input_count: number; categories: string[]; countries: string[]; networks: string[]; network_count: number;
  measurements: number; by_verdict: Record<string, number>; first: number; last: number; latest: Latest;
}
interface Facets { countries: Array<{ cc: string; measurements: number }>; networks: Array<{ cc: string; asn: string; measurements: number }>; categories: Array<{ code: string; sites: number }> }
interface Verdict { blocking: string | boolean | null; accessible: boolean | null }
interface Measurement {
  id: number; source: 'probe' | 'import'; input: string; probe_cc: string; probe_asn: string; measurement_start_time: string; test_name: string;
  software: string | null; measurement_uid: string | null; report_id: string | null; state: string; how: string[];
  censorscope: (Verdict & { verdict: string; how: string[] }) | null; ooni: Verdict | null; simulated: boolean;
}
interface Span { at: string; until: string; state: string; how: string[]; measurements: number }
interface SiteDetail {
  host: string; categories: string[]; total: number; truncated: boolean;
  timelines: Array<{ input: string; probe_cc: string; probe_asn: string; timeline: Span[] }>;
  chart: { series: Array<{ input: string; probe_cc: string; probe_asn: string; measurements: number }>; points: Array<[number, number, string, string, number]>; truncated: boolean };
  measurements: Measurement[];
}

/** Citizen Lab's test-list categories (the legend of github.com/citizenlab/test-lists), for readable filters. */
export const CATEGORIES: Record<string, string> = {
  ALDR: 'Alcohol & Drugs', REL: 'Religion', PORN: 'Pornography', PROV: 'Provocative Attire', POLR: 'Political Criticism',
  HUMR: 'Human Rights Issues', ENV: 'Environment', MILX: 'Terrorism and Militants', HATE: 'Hate Speech', NEWS: 'News Media',
  XED: 'Sex Education', PUBH: 'Public Health', GMB: 'Gambling', ANON: 'Anonymization and circumvention tools', DATE: 'Online Dating',
  GRP: 'Social Networking', LGBT: 'LGBT', FILE: 'File-sharing', HACK: 'Hacking Tools', COMT: 'Communication Tools', MMED: 'Media sharing',
  HOST: 'Hosting and Blogging Platforms', SRCH: 'Search Engines', GAME: 'Gaming', CULTR: 'Culture', ECON: 'Economics', GOVT: 'Government',
  COMM: 'E-commerce', CTRL: 'Control content', IGO: 'Intergovernmental Organizations', MISC: 'Miscellaneous content',
};

/** One colour per availability state, shared by badges, the site chart and the overview chart. */
export const STATE_COLORS: Record<string, string> = { reachable: '#27ae60', blocked: '#c0392b', down: '#7f8c8d', unknown: '#d4ac0d' };
export const STATES = ['reachable', 'blocked', 'down', 'unknown'] as const;
const STATE_TEXT: Record<string, string> = { reachable: 'reachable', blocked: 'blocked', down: 'down (unreachable from the control too)', unknown: 'unknown (no control)' };

/** Time-axis labels with full dates at every level (ECharts would print a bare day number); the chart sets useUTC. */
export const DATE_LABELS = { year: '{yyyy}-{MM}-{dd}', month: '{yyyy}-{MM}-{dd}', day: '{yyyy}-{MM}-{dd}', hour: '{yyyy}-{MM}-{dd} {HH}:{mm}', minute: '{yyyy}-{MM}-{dd} {HH}:{mm}', second: '{HH}:{mm}:{ss}', millisecond: '{HH}:{mm}:{ss}' };

/** "blocked (dns-injection)", "reachable". */
export function stateText(state: string, how: string[] = []): string {
  return how.length ? `${state} (${how.join(', ')})` : state;
}

/** A state word with its colour class. */
export function stateBadge(state: string, how: string[] = []): HTMLElement {
  return h('span', { class: `badge b-${STATES.includes(state as never) ? state : 'unknown'}`, title: STATE_TEXT[state] ?? state }, stateText(state, how));
}

/** OONI's two verdict fields as text: "blocking dns, accessible false". */
function verdictText(v: Verdict | null): string {
  if (!v) return '—';
  const b = v.blocking === null ? 'not determined' : String(v.blocking);
  const a = v.accessible === null ? 'not determined' : String(v.accessible);
  return `blocking ${b}, accessible ${a}`;
}

function categoryLabel(code: string): string {
  return CATEGORIES[code] ? `${code} · ${CATEGORIES[code]}` : code;
}

function utc(ms: number): string {
  return time(ms).replace(/Z$/, ' UTC');
}

function ooniTimeText(s: string | null): string {
  return s ? `${s} UTC` : '—';
}

function select(name: string, current: string, options: Array<[string, string]>): HTMLSelectElement {
  return h('select', { name, id: `f-${name}` }, options.map(([value, label]) => {
    const o = h('option', { value }, label);
    if (value === current) o.selected = true;
    return o;
  }));
}

/** A note, when any measurement shown was generated rather than measured. */
function simulatedNote(n: number, of: number): HTMLElement | null {
  if (!n) return null;
  return h('p', { class: 'simulated-note', id: 'blocking-simulated' },
    `${count(n)} of ${count(of)} measurements here are simulated: generated by the demo or the tests, not measured (their report ids start with SIMULATED-; countries XA–XC, sites under .example and documentation AS numbers are fictional).`);
}

/** A table that becomes one card per row at phone width: each cell carries its column's name (style.css shows it). */
function cardTable(headers: string[], rows: Child[][]): HTMLTableElement {
  const t = table(headers, rows);
  t.classList.add('cards-on-phone');
  for (const tr of t.tBodies[0]?.rows ?? []) [...tr.cells].forEach((td, i) => { if (headers[i]) td.dataset.label = headers[i]; });
  return t;
}

/** What a page appends: Element.append would write a null as the text "null", so nulls are dropped. */
function present(...children: Array<Node | string | null | false>): Array<Node | string> {
  return children.filter((c): c is Node | string => c !== null && c !== false);
}

const FILTERS = ['cc', 'asn', 'category', 'q', 'sort'] as const;

export const sitesPage: Page = {
  pattern: /^\/sites$/,
  title: 'Blocking',
  nav: '/sites',
  async render(root, ctx) {
    const q = ctx.query;
    const params: Record<string, string> = {};
    for (const f of FILTERS) if (q.get(f)) params[f] = q.get(f)!;
    const offset = Number(q.get('offset') ?? 0) || 0;
    const [facets, list, overview] = await Promise.all([
      get<Facets>('/api/blocking/facets', ctx.signal),
      get<{ total: number; items: Site[]; next: number | null }>(`/api/blocking/sites${qs({ ...params, offset, limit: 50 })}`, ctx.signal),
      get<{ measurements: number; simulated: number }>('/api/blocking/overview', ctx.signal),
    ]);
    const form = h('form', { class: 'filters', id: 'site-filters' },
      select('cc', params.cc ?? '', [['', 'any country'], ...facets.countries.map((c): [string, string] => [c.cc, `${c.cc} (${count(c.measurements)} measurements)`])]),
      select('asn', params.asn ?? '', [['', 'any network'], ...facets.networks.map((n): [string, string] => [n.asn, `${n.asn} in ${n.cc} (${count(n.measurements)})`])]),
      select('category', params.category ?? '', [['', 'any category'], ...facets.categories.map((c): [string, string] => [c.code, `${categoryLabel(c.code)} (${count(c.sites)})`])]),
      h('input', { name: 'q', id: 'f-q', placeholder: 'host name contains', value: params.q ?? '' }),
      select('sort', params.sort ?? 'blocked', [['blocked', 'most blocked first'], ['recent', 'most recently measured first'], ['host', 'by host name']]),
      h('button', { type: 'submit' }, 'Filter'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      const next: Record<string, string> = {};
      for (const f of FILTERS) {
        const v = String(data.get(f) ?? '').trim();
        if (v && !(f === 'sort' && v === 'blocked')) next[f] = v;
      }
      navigate(`/sites${qs(next)}`);
    });
    // The site page keeps the network filter, so its timeline shows what the list counted.
    const carry = qs({ cc: params.cc, asn: params.asn });
    const rows = list.items.map((s): Child[] => [
      h('a', { href: `/sites/${encodeURIComponent(s.host)}${carry}`, class: 'site-host' }, s.host),
      s.categories.length ? s.categories.map(categoryLabel).join(', ') : 'not in a tracked list',
      s.countries.join(' '),
      count(s.network_count),
      count(s.measurements),
      count(s.by_verdict.reachable), count(s.by_verdict.blocked), count(s.by_verdict.down), count(s.by_verdict.unknown),
      h('span', null, stateBadge(s.latest.verdict, s.latest.how), ` ${s.latest.probe_cc} ${s.latest.probe_asn}, ${utc(s.latest.measured_at)}`),
    ]);
    root.append(...present(
      h('h1', null, 'Website blocking'),
      h('p', { class: 'muted' }, 'Sites measured with OONI Web Connectivity, by this installation\'s probe or imported from OONI: each site\'s measurements by verdict, and its latest verdict. Times are UTC.'),
      simulatedNote(overview.simulated, overview.measurements),
      form,
      h('p', { class: 'muted', id: 'sites-count' }, list.total === 1 ? '1 site matches.' : `${count(list.total)} sites match.`),
      h('div', { id: 'sites-table', class: 'panel' }, cardTable(['site', 'test-list category', 'countries', 'networks', 'measurements', 'reachable', 'blocked', 'down', 'unknown', 'latest verdict'], rows)),
      list.next !== null ? h('a', { class: 'more', id: 'sites-next', href: `/sites${qs({ ...params, offset: list.next })}` }, 'More sites →') : null,
    ));
  },
};

/**
 * A span merges every measurement in one state, however far apart: say when it holds a stretch
 * with no measurement much longer than the network's usual interval (what the chart shows blank).
 */
function gapText(d: SiteDetail, t: SiteDetail['timelines'][number], s: Span): string {
  const i = d.chart.series.findIndex((x) => x.input === t.input && x.probe_cc === t.probe_cc && x.probe_asn === t.probe_asn);
  const times = d.chart.points.filter((p) => p[1] === i).map((p) => p[0]);
  const from = Date.parse(s.at);
  const until = Date.parse(s.until);
  if (i < 0 || times.length < 3 || (d.chart.truncated && times[0]! > from)) return '—';
  const steps = times.slice(1).map((x, k) => x - times[k]!).sort((a, b) => a - b);
  const usual = steps[Math.floor(steps.length / 2)]!;
  let best: [number, number] | null = null;
  const inside = times.filter((x) => x >= from && x <= until);
  for (let k = 1; k < inside.length; k++) {
    const gap = inside[k]! - inside[k - 1]!;
    if (gap > 3 * usual && gap > 3_600_000 && (!best || gap > best[1] - best[0])) best = [inside[k - 1]!, inside[k]!];
  }
  if (!best) return '—';
  return `${((best[1] - best[0]) / 86_400_000).toFixed(1)} days: ${utc(best[0])} to ${utc(best[1])}`;
}

export const sitePage: Page = {
  pattern: /^\/sites\/([^/]+)$/,
  title: 'Site',
  nav: '/sites',
  async render(root, ctx) {
    const host = ctx.params[0]!;
    const cc = ctx.query.get('cc') ?? '';
    const asn = ctx.query.get('asn') ?? '';
    const filter = qs({ cc, asn });
    const d = await get<SiteDetail>(`/api/blocking/sites/${encodeURIComponent(host)}${qs({ cc, asn, limit: 200 })}`, ctx.signal);
    const simulated = d.measurements.filter((m) => m.simulated).length;
    const chartEl = h('div', { class: 'chart', id: 'chart-site' });
    const download = h('a', { href: `/api/blocking/sites/${encodeURIComponent(d.host)}/measurements.jsonl${filter}`, id: 'site-download', class: 'download' },
      `Download ${cc || asn ? 'these' : 'all'} ${count(d.total)} measurements (OONI JSONL)`);
    const networkLinks = d.timelines.map((t) => `${t.probe_cc} ${t.probe_asn}`).filter((v, i, a) => a.indexOf(v) === i);
    const rows = d.timelines.flatMap((t) => t.timeline.map((s): Child[] => [
      `${t.probe_cc} ${t.probe_asn}`, h('span', { class: 'text' }, t.input), stateBadge(s.state, s.how),
      utc(Date.parse(s.at)), utc(Date.parse(s.until)), count(s.measurements), gapText(d, t, s)]));
    const mrows = [...d.measurements].reverse().map((m): Child[] => [
      h('a', { href: `/measurements/${m.id}` }, ooniTimeText(m.measurement_start_time)),
      `${m.probe_cc} ${m.probe_asn}`, h('span', { class: 'text' }, m.input), stateBadge(m.state, m.how),
      m.censorscope ? verdictText(m.censorscope) : '—', m.ooni ? verdictText(m.ooni) : '—',
      m.simulated ? h('span', { class: 'badge b-simulated' }, 'simulated') : m.source === 'probe' ? 'our probe' : `imported${m.software ? ` (${m.software})` : ''}`,
    ]);
    root.append(...present(
      h('h1', null, 'Site: ', h('span', { class: 'term' }, d.host)),
      h('p', null, d.categories.length ? `Test-list category: ${d.categories.map(categoryLabel).join(', ')}. ` : 'In no tracked test list. ',
        `${count(d.total)} measurements${cc || asn ? ` from ${[cc, asn].filter(Boolean).join(' ')}` : ''}. `,
        cc || asn ? h('a', { href: `/sites/${encodeURIComponent(d.host)}` }, 'All networks →') : null),
      simulatedNote(simulated, d.measurements.length),
      h('p', null, download),
      h('section', { class: 'panel' },
        h('h2', null, 'Availability over time, per network (UTC)'),
        h('p', { class: 'muted' }, 'Each mark is one measurement, coloured by its verdict. Blank stretches are times with no measurement: a change of state happened somewhere between the last mark of one colour and the first of the next.'),
        d.chart.points.length ? chartEl : h('p', { class: 'muted' }, 'No measurement matches.'),
        d.chart.truncated ? h('p', { class: 'muted' }, `The chart draws the ${count(d.chart.points.length)} most recent measurements; the table below uses all of them.`) : null),
      h('section', { class: 'panel', id: 'site-timeline' }, h('h2', null, 'Timeline: each change of state or mechanism'),
        networkLinks.length > 1 ? h('p', { class: 'muted' }, 'Only this network: ', networkLinks.map((n) => {
          const [c, a] = n.split(' ');
          return [h('a', { href: `/sites/${encodeURIComponent(d.host)}${qs({ cc: c, asn: a })}` }, n), ' '];
        })) : null,
        cardTable(['network', 'URL', 'state (how)', 'from', 'until (last measurement)', 'measurements', 'longest stretch without a measurement'], rows)),
      h('section', { class: 'panel', id: 'site-measurements' },
        h('h2', null, d.truncated ? `The ${count(d.measurements.length)} most recent measurements of ${count(d.total)}` : `Measurements (${count(d.total)})`),
        cardTable(['started (UTC)', 'network', 'URL', 'state (how)', 'our classifier', 'OONI\'s verdict', 'made by'], mrows)),
    ));
    if (!d.chart.points.length) return;
    const drawn = STATES.filter((st) => d.chart.points.some((p) => p[2] === st));
    // What the canvas shows, readable by tests and assistive tools.
    chartEl.dataset.legend = drawn.join(',');
    chartEl.dataset.xAxis = 'time of measurement (UTC)';
    chartEl.setAttribute('aria-label', `Measurements of ${d.host} over time (UTC) per network, coloured by verdict: ${drawn.join(', ')}`);
    const labels = d.chart.series.map((s) => `${s.probe_cc} ${s.probe_asn}${d.chart.series.some((o) => o.input !== s.input) ? ` · ${s.input}` : ''}`);
    chart(chartEl, {
      useUTC: true,
      legend: { top: 0, data: drawn },
      grid: { left: 20, right: 30, top: 64, bottom: 50, containLabel: true },
      tooltip: {
        trigger: 'item', renderMode: 'richText',
        formatter: (p: { value: [number, number, string, string] }) => `${utc(p.value[0])}\n${stateText(p.value[2], p.value[3] ? p.value[3].split('+') : [])}\n${labels[p.value[1]] ?? ''}`,
      },
      xAxis: { type: 'time', name: 'time of measurement (UTC)', nameLocation: 'middle', nameGap: 30, axisLabel: { hideOverlap: true, formatter: DATE_LABELS } },
      yAxis: { type: 'category', data: labels, name: 'network (country, AS number)', nameLocation: 'start', nameGap: 12, inverse: true },
      series: STATES.map((st) => ({
        name: st, type: 'scatter', symbol: 'rect', symbolSize: [5, 16], itemStyle: { color: STATE_COLORS[st] },
        data: d.chart.points.filter((p) => p[2] === st).map((p) => [p[0], p[1], p[2], p[3]]),
      })).filter((s) => s.data.length),
    });
  },
};

interface MeasurementView extends Measurement {
  host: string;
  ooni_view: {
    input: string | null; probe_cc: string | null; probe_asn: string | null; probe_network_name: string | null; test_name: string | null; test_version: string | null;
    test_start_time: string | null; measurement_start_time: string | null; software_name: string | null; software_version: string | null;
    report_id: string | null; measurement_uid: string | null; resolver_ip: string | null; resolver_asn: string | null; resolver_network_name: string | null;
    ooni_explorer_url: string | null;
    verdict_keys: Record<string, unknown>;
    dns: Array<{ engine: string | null; resolver: string | null; hostname: string | null; query_type: string | null; failure: string | null; answers: string[] }>;
    tcp_connect: Array<{ ip: string | null; port: number | null; success: boolean | null; failure: string | null; blocked: boolean | null }>;
    tls_handshakes: Array<{ address: string | null; server_name: string | null; failure: string | null; tls_version: string | null }>;
    requests: Array<{ url: string | null; failure: string | null; status_code: number | null; body_length: number | null; body_is_truncated: boolean | null; title: string | null }>;
  };
  measurement: unknown;
}

/** A test-key value as text: "not determined" for null, so no page shows a bare null. */
function keyText(v: unknown): string {
  if (v === null || v === undefined) return 'not determined';
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  return String(v);
}

export const measurementPage: Page = {
  pattern: /^\/measurements\/(\d+)$/,
  title: 'Measurement',
  nav: '/sites',
  async render(root, ctx) {
    const d = await get<MeasurementView>(`/api/blocking/measurements/${ctx.params[0]}`, ctx.signal);
    const v = d.ooni_view;
    const dash = (s: string | null | undefined) => s ?? '—';
    const dl = (pairs: Array<[string, string | Node]>) => h('dl', { class: 'facts' }, pairs.map(([k, x]) => [h('dt', null, k), h('dd', null, x)]));
    root.append(...present(
      h('h1', null, `Measurement ${d.id} `, stateBadge(d.state, d.how), d.simulated ? [' ', h('span', { class: 'badge b-simulated' }, 'simulated')] : null),
      d.simulated ? h('p', { class: 'simulated-note' }, 'Simulated: generated observations classified by the real classifier; no probe ran.') : null,
      h('p', null, h('a', { href: `/sites/${encodeURIComponent(d.host)}` }, `All measurements of ${d.host} →`),
        v.ooni_explorer_url ? [' · ', h('a', { href: v.ooni_explorer_url, external: true, id: 'ooni-explorer' }, 'This measurement on OONI Explorer')] : null),
      h('section', { class: 'panel', id: 'measurement-facts' }, h('h2', null, 'What was measured, from where, when'),
        dl([
          ['input', dash(v.input)], ['country', dash(v.probe_cc)], ['network', `${dash(v.probe_asn)}${v.probe_network_name ? ` (${v.probe_network_name})` : ''}`],
          ['test start', ooniTimeText(v.test_start_time)], ['measurement start', ooniTimeText(v.measurement_start_time)],
          ['test', `${dash(v.test_name)} ${v.test_version ?? ''}`.trim()], ['software', `${dash(v.software_name)} ${v.software_version ?? ''}`.trim()],
          ['resolver', `${dash(v.resolver_ip)}${v.resolver_asn ? ` (${v.resolver_asn})` : ''}`],
          ['report id', dash(v.report_id)], ['measurement uid', dash(v.measurement_uid)],
        ])),
      h('section', { class: 'panel', id: 'measurement-verdicts' }, h('h2', null, 'Verdicts'),
        dl([
          ['state', stateText(d.state, d.how)],
          ['our classifier', d.censorscope ? `${verdictText(d.censorscope)}; ${stateText(d.censorscope.verdict, d.censorscope.how)}` : 'not run (measured by another probe)'],
          ['OONI', d.ooni ? verdictText(d.ooni) : 'not given (measured by this installation)'],
        ]),
        cardTable(['test key', 'value'], Object.entries(v.verdict_keys).filter(([, x]) => x !== null).map(([k, x]) => [h('code', null, k), keyText(x)]))),
      h('section', { class: 'panel', id: 'measurement-dns' }, h('h2', null, 'DNS'),
        cardTable(['engine', 'resolver', 'query', 'failure', 'answers'], v.dns.map((q) => [dash(q.engine), q.resolver || '—', `${dash(q.query_type)} ${dash(q.hostname)}`, dash(q.failure), q.answers.join(', ') || '—']))),
      h('section', { class: 'panel', id: 'measurement-tcp' }, h('h2', null, 'TCP connect'),
        cardTable(['endpoint', 'result', 'blocked'], v.tcp_connect.map((t) => [`${dash(t.ip)}:${t.port ?? '?'}`, t.success ? 'connected' : `failed: ${dash(t.failure)}`, keyText(t.blocked)]))),
      v.tls_handshakes.length ? h('section', { class: 'panel', id: 'measurement-tls' }, h('h2', null, 'TLS handshakes'),
        cardTable(['endpoint', 'SNI', 'result'], v.tls_handshakes.map((t) => [dash(t.address), dash(t.server_name), t.failure ? `failed: ${t.failure}` : `ok${t.tls_version ? ` (${t.tls_version})` : ''}`]))) : null,
      h('section', { class: 'panel', id: 'measurement-http' }, h('h2', null, 'HTTP requests (last first, as OONI lists them)'),
        cardTable(['URL', 'result', 'body', 'title'], v.requests.map((r) => [h('span', { class: 'text' }, dash(r.url)),
          r.failure ? `failed: ${r.failure}` : `status ${r.status_code ?? '?'}`, r.body_length == null ? '—' : `${count(r.body_length)} bytes${r.body_is_truncated ? ' (truncated)' : ''}`, dash(r.title)]))),
      // Folded: the raw JSON is for checking, and its nulls are OONI's own values, not gaps in this page.
      h('section', { class: 'panel', id: 'measurement-json' }, h('details', null, h('summary', null, 'The whole measurement (OONI JSON, the probe\'s IP withheld)'),
        h('pre', { class: 'json' }, JSON.stringify(d.measurement, null, 2)))),
    ));
  },
};
