/**
 * ECharts, tree-shaken to what the dashboard draws. Tooltips render as rich text on the canvas
 * (no HTML), so hostile account names and texts can never become markup. Every time axis is in
 * UTC, as the store's times are, and every axis of a chart carries a title with its unit: the
 * titles are also written to the element's data-axes attribute, where tests read them.
 */
import * as echarts from 'echarts/core';
import { BarChart, GraphChart, LineChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GraphChart, LineChart, ScatterChart, DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const live = new Set<echarts.ECharts>();

type AxisOption = { name?: unknown } & Record<string, unknown>;

/** The titles of an option's x and y axes (one entry per axis). */
function axisNames(option: echarts.EChartsCoreOption): { x: string[]; y: string[] } {
  const names = (axes: unknown) => [axes ?? []].flat().map((a) => String((a as AxisOption).name ?? ''));
  return { x: names(option.xAxis), y: names(option.yAxis) };
}

/** Draws `option` into `el` and marks it ready (tests wait for data-chart="ready"). */
export function chart(el: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const c = echarts.getInstanceByDom(el) ?? echarts.init(el, undefined, { renderer: 'canvas' });
  c.setOption({ animation: false, useUTC: true, tooltip: { renderMode: 'richText' }, ...option }, true);
  live.add(c);
  if (option.xAxis || option.yAxis) el.dataset.axes = JSON.stringify(axisNames(option));
  el.dataset.chart = 'ready';
  return c;
}

/** An axis title placed along the axis, not at its end where long titles are cut. */
export function axisTitle(name: string, gap = 30): Record<string, unknown> {
  return { name, nameLocation: 'middle', nameGap: gap, nameTextStyle: { color: '#555' } };
}

/** A time axis in UTC, titled with what one step of it is (e.g. "minute (UTC)"). */
export function utcTimeAxis(name: string): Record<string, unknown> {
  return { type: 'time', ...axisTitle(name), axisLabel: { hideOverlap: true } };
}

/** Disposes every chart (on navigation). */
export function disposeCharts(): void {
  for (const c of live) c.dispose();
  live.clear();
}

window.addEventListener('resize', () => {
  for (const c of live) c.resize();
});

/**
 * What tests read from a drawn chart: its option as ECharts holds it (plain JSON), and where each
 * bar of a series was laid out on the canvas. Read-only; it exposes nothing the page does not show.
 */
interface ChartProbe {
  option(id: string): unknown;
  bars(id: string, seriesIndex: number): Array<{ x: number; width: number } | null>;
}
declare global {
  interface Window { censorscopeCharts?: ChartProbe }
}
const instanceOf = (id: string) => {
  const el = document.getElementById(id);
  return el ? echarts.getInstanceByDom(el) : undefined;
};
window.censorscopeCharts = {
  option: (id) => JSON.parse(JSON.stringify(instanceOf(id)?.getOption() ?? null)) as unknown,
  bars: (id, seriesIndex) => {
    // ECharts' model is not part of its typed API; read the laid-out rectangles defensively.
    const model = (instanceOf(id) as unknown as { getModel?: () => { getSeriesByIndex(i: number): { getData(): { count(): number; getItemLayout(i: number): { x: number; width: number } | null } } | undefined } })?.getModel?.();
    const data = model?.getSeriesByIndex(seriesIndex)?.getData();
    if (!data) return [];
    return Array.from({ length: data.count() }, (_, i) => {
      const l = data.getItemLayout(i);
      return l && Number.isFinite(l.x) ? { x: l.x, width: l.width } : null;
    });
  },
};

export const KIND_COLORS: Record<string, string> = {
  removed_by_platform: '#c0392b', account_gone: '#8e44ad', deleted: '#e67e22', deleted_by_author: '#7f8c8d', unknown: '#d4ac0d', visible: '#27ae60',
};
