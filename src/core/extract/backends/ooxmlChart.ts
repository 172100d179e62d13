import type { Document as XmlDocument, Element } from '@xmldom/xmldom';
import { childElements, descendants, firstDescendant, localName } from '../xml';

export interface ChartContent {
  title?: string;
  /** "Bar chart", "Line chart"… */
  kind: string;
  /** A grid: header row (blank, series names…), then one row per category with the values. */
  rows: string[][];
}

const KINDS: Record<string, string> = {
  barChart: 'Bar chart', bar3DChart: 'Bar chart', lineChart: 'Line chart', line3DChart: 'Line chart', pieChart: 'Pie chart', pie3DChart: 'Pie chart',
  doughnutChart: 'Doughnut chart', areaChart: 'Area chart', area3DChart: 'Area chart', scatterChart: 'Scatter chart', radarChart: 'Radar chart', bubbleChart: 'Bubble chart',
};

/** The text of a DrawingML chart part (c:chartSpace): its title, kind, and its data as a table. */
export function readChart(doc: XmlDocument): ChartContent {
  const chart = firstDescendant(doc, 'chart');
  const titleEl = chart ? childElements(chart).find((c) => localName(c) === 'title') : undefined;
  const title = titleEl ? richOrCachedText(titleEl) : undefined;
  const plot = chart ? firstDescendant(chart, 'plotArea') : undefined;
  const types = plot ? childElements(plot).filter((c) => /Chart$/.test(localName(c))) : [];
  const kind = types.length ? (KINDS[localName(types[0]!)] ?? 'Chart') : 'Chart';
  const series = types.flatMap((t) => childElements(t).filter((c) => localName(c) === 'ser'));
  const categories = series.length ? points(series[0]!, 'cat') : [];
  const header = ['', ...series.map((s, i) => cachedText(childElements(s).find((c) => localName(c) === 'tx')) || `Series ${i + 1}`)];
  const values = series.map((s) => points(s, 'val'));
  const count = Math.max(categories.length, ...values.map((v) => v.length), 0);
  const rows = count ? [header, ...Array.from({ length: count }, (_, i) => [categories[i] ?? '', ...values.map((v) => v[i] ?? '')])] : [];
  return { ...(title ? { title } : {}), kind, rows };
}

/** The cached points (c:pt/c:v) of a series' c:cat or c:val, in index order. */
function points(ser: Element, which: 'cat' | 'val'): string[] {
  const el = childElements(ser).find((c) => localName(c) === which);
  if (!el) return [];
  const out: string[] = [];
  for (const pt of descendants(el, 'pt')) out[Number(pt.getAttribute('idx') ?? out.length)] = firstDescendant(pt, 'v')?.textContent ?? '';
  return Array.from(out, (v) => v ?? '');
}

function cachedText(el: Element | undefined): string {
  if (!el) return '';
  return descendants(el, 'v').map((v) => v.textContent ?? '').join(' ').trim();
}

function richOrCachedText(el: Element): string | undefined {
  const rich = descendants(el, 't').map((t) => t.textContent ?? '').join('').trim();
  return rich || cachedText(el) || undefined;
}
