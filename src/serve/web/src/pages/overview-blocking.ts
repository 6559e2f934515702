/** The overview's website-blocking panel: tiles and measurements per UTC day by verdict. */
import { get } from '../api.ts';
import { chart } from '../charts.ts';
import { count, h, time } from '../dom.ts';
import type { PageContext } from '../main.ts';
import { DATE_LABELS, STATE_COLORS, STATES } from './sites.ts';

interface BlockingOverview {
  measurements: number; sites: number; countries: number; networks: number; sites_blocked: number; simulated: number;
  by_verdict: Record<string, number>; by_source: { probe: number; import: number }; first: number | null; last: number | null;
  daily: Array<{ day: number; verdict: string; count: number }>;
}

const DAY = 86_400_000;

/** The panel; it loads its data itself, so the overview adds it with one line. */
export function blockingPanel(ctx: PageContext): HTMLElement {
  const cards = h('div', { class: 'cards', id: 'blocking-cards' });
  const el = h('div', { class: 'chart', id: 'chart-blocking' });
  const note = h('p', { class: 'muted', id: 'blocking-note' });
  const panel = h('section', { class: 'panel', id: 'blocking-overview' },
    h('h2', null, 'Website blocking ', h('a', { href: '/sites', class: 'more-inline' }, 'all sites →')), cards, note, el);
  void get<BlockingOverview>('/api/blocking/overview', ctx.signal).then((o) => {
    const card = (label: string, value: string, cls = '') => h('div', { class: `card ${cls}` }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
    cards.replaceChildren(
      card('sites measured', count(o.sites)), card('measurements', count(o.measurements)),
      card('sites blocked on their latest measurement in some network', count(o.sites_blocked), 'b-blocked'),
      card('countries', count(o.countries)), card('networks', count(o.networks)),
    );
    if (!o.measurements) {
      note.textContent = 'No blocking measurement yet: run `censorscope probe` or import OONI data with `censorscope import --format ooni`.';
      el.remove();
      return;
    }
    note.textContent = `Measurements from ${time(o.first).slice(0, 10)} to ${time(o.last).slice(0, 10)} (UTC): ${count(o.by_source.probe)} by this installation's probe, ${count(o.by_source.import)} imported.`
      + (o.simulated ? ` ${count(o.simulated)} are simulated (generated, not measured).` : '');
    const drawn = STATES.filter((s) => o.daily.some((d) => d.verdict === s));
    const days = [...new Set(o.daily.map((d) => d.day))].sort((a, b) => a - b);
    el.dataset.legend = drawn.join(',');
    el.setAttribute('aria-label', `Blocking measurements per UTC day, stacked by verdict: ${drawn.join(', ')}`);
    chart(el, {
      useUTC: true,
      legend: { top: 0, data: drawn },
      grid: { left: 40, right: 30, top: 40, bottom: 50, containLabel: true },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'time', name: 'day (UTC)', nameLocation: 'middle', nameGap: 30, minInterval: DAY, axisLabel: { formatter: DATE_LABELS, hideOverlap: true } },
      yAxis: { type: 'value', name: 'measurements per day', nameLocation: 'middle', nameGap: 40, minInterval: 1 },
      // ECharts stacks by position in the data, so every series lists the same days (0 where a
      // verdict is absent). Only days with measurements are listed: a day without any has no bar.
      series: drawn.map((s) => ({
        name: s, type: 'bar', stack: 'verdict', barMaxWidth: 24, itemStyle: { color: STATE_COLORS[s] },
        data: days.map((day) => [day + DAY / 2, o.daily.find((d) => d.day === day && d.verdict === s)?.count ?? 0]),
      })),
    });
  }).catch((err: Error) => {
    if (!ctx.signal.aborted) note.textContent = `Could not load the blocking overview: ${err.message}`;
  });
  return panel;
}
