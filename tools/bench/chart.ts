/**
 * Charts of the benchmarks (#11): a line chart as an SVG string, drawn by vega-lite and rendered by
 * vega in node (no browser, no canvas). Shared by the billing and the ingestion cost curves.
 */

/** One line of a chart: its name (the legend) and its points. */
export interface ChartSeries {
  readonly name: string;
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
}

export interface ChartOptions {
  /** Logarithmic axes (a cost curve over decades: a straight line of slope 1 is linear growth). */
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: 'none' }) => { toSVG(): Promise<string>; finalize(): void };
}

interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}

// vega and vega-lite are ES modules with top-level await: loaded with a real import(), which the
// CommonJS build of this file would otherwise turn into require()
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

/** A line chart of the series (points marked, one colour per series) as an SVG document. */
export async function lineChartSvg(title: string, xLabel: string, yLabel: string, series: readonly ChartSeries[], options: ChartOptions = {}): Promise<string> {
  const [vega, vegaLite] = await Promise.all([importEsm<VegaModule>('vega'), importEsm<VegaLiteModule>('vega-lite')]);
  const values = series.flatMap((line) => line.points.map((point) => ({ series: line.name, x: point.x, y: point.y })));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: options.width ?? 560,
    height: options.height ?? 320,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xLabel, scale: options.logX ? { type: 'log' } : { zero: true } },
      y: { field: 'y', type: 'quantitative', title: yLabel, scale: options.logY ? { type: 'log' } : { zero: true } },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'top-left' } },
      tooltip: [{ field: 'series' }, { field: 'x' }, { field: 'y' }],
    },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The same chart with linear axes, taking one object (the ingestion curve's call). */
export async function renderLineChart(chart: {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
}): Promise<string> {
  return lineChartSvg(chart.title, chart.xLabel, chart.yLabel, chart.series);
}
