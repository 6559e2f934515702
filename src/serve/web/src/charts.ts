/**
 * ECharts, tree-shaken to what the dashboard draws. Tooltips render as rich text on the canvas
 * (no HTML), so hostile account names and texts can never become markup.
 */
import * as echarts from 'echarts/core';
import { BarChart, GraphChart, LineChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GraphChart, LineChart, ScatterChart, DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const live = new Set<echarts.ECharts>();

/** Draws `option` into `el` and marks it ready (tests wait for data-chart="ready"). */
export function chart(el: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const c = echarts.getInstanceByDom(el) ?? echarts.init(el, undefined, { renderer: 'canvas' });
  c.setOption({ animation: false, tooltip: { renderMode: 'richText' }, ...option }, true);
  live.add(c);
  el.dataset.chart = 'ready';
  return c;
}

/** Disposes every chart (on navigation). */
export function disposeCharts(): void {
  for (const c of live) c.dispose();
  live.clear();
}

window.addEventListener('resize', () => {
  for (const c of live) c.resize();
});

export const KIND_COLORS: Record<string, string> = {
  removed_by_platform: '#c0392b', account_gone: '#8e44ad', deleted: '#e67e22', deleted_by_author: '#7f8c8d', unknown: '#d4ac0d', visible: '#27ae60',
};
