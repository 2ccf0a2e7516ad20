/**
 * Line charts for BENCHMARKS.md, drawn by vega-lite (compiled to a vega spec) and rendered to SVG
 * by vega in node, with no browser.
 */

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
}

type VegaModule = typeof import('vega');
/** The one vega-lite function used (its types need a module resolution this repository does not use). */
interface VegaLiteModule {
  compile(spec: Record<string, unknown>): { spec: Parameters<VegaModule['parse']>[0] };
}

// vega and vega-lite are ES modules (with top-level await): loaded with a real dynamic import,
// which the CommonJS output of the TypeScript compiler would otherwise turn into require()
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

/** One line per series (points and lines, linear axes), as an SVG document. */
export async function renderLineChart({ title, xLabel, yLabel, series }: LineChart): Promise<string> {
  const vega = await importEsm<VegaModule>('vega');
  const vegaLite = await importEsm<VegaLiteModule>('vega-lite');
  const values = series.flatMap((s) => s.points.map((point) => ({ series: s.name, x: point.x, y: point.y })));
  const { spec } = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 560,
    height: 320,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xLabel, axis: { format: '~s' } },
      y: { field: 'y', type: 'quantitative', title: yLabel },
      color: { field: 'series', type: 'nominal', title: null },
    },
  });
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
