import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ApiError } from '../api/api-client';
import { LoadStatus } from './common';
import { Column, DataTable, DataTableProps } from './data-table';

interface Item {
  id: string;
  name: string;
  amount: string;
}

const columns: Column<Item>[] = [
  { title: 'Name', cell: (item) => item.name },
  { title: 'Amount', numeric: true, cell: (item) => item.amount },
  { title: '', className: 'actions', cell: (_item, index) => `#${index + 1}` },
];
const items: Item[] = [
  { id: 'a', name: 'Alpha', amount: '1.50' },
  { id: 'b', name: 'Beta', amount: '-2.00' },
];

function table(props: Partial<DataTableProps<Item>>): string {
  return renderToStaticMarkup(
    createElement(DataTable<Item>, { columns, rows: items, rowKey: (item) => item.id, ...props }),
  );
}

describe('DataTable', () => {
  it('writes a header row and a row per item, numeric headers and cells classed "num"', () => {
    expect(table({ label: 'things', className: 'compact' })).toBe(
      '<table aria-label="things" class="compact"><thead><tr><th>Name</th><th class="num">Amount</th><th></th></tr></thead>' +
        '<tbody><tr><td>Alpha</td><td class="num">1.50</td><td class="actions">#1</td></tr>' +
        '<tr><td>Beta</td><td class="num">-2.00</td><td class="actions">#2</td></tr></tbody></table>',
    );
  });

  it('says its empty text across all columns when there are no rows, and nothing before rows are loaded', () => {
    expect(table({ rows: [], empty: 'No things.' })).toContain(
      '<tbody><tr><td colSpan="3" class="muted">No things.</td></tr></tbody>',
    );
    expect(table({ rows: undefined, empty: 'No things.' })).toContain('<tbody></tbody>');
    expect(table({ rows: [] })).toContain('<tbody></tbody>');
    expect(table({ empty: 'No things.' })).not.toContain('No things.');
  });

  it('puts a detail row under the rows that have one, after the indent', () => {
    const html = table({
      detail: { className: 'explanation', indent: 1, render: (item) => (item.id === 'b' ? `about ${item.name}` : null) },
    });
    expect(html).toContain(
      '<tr><td>Alpha</td><td class="num">1.50</td><td class="actions">#1</td></tr>' +
        '<tr><td>Beta</td><td class="num">-2.00</td><td class="actions">#2</td></tr>' +
        '<tr class="explanation"><td></td><td colSpan="2">about Beta</td></tr>',
    );
    expect(table({ detail: { render: (item) => item.name } })).toContain('<tr><td colSpan="3">Alpha</td></tr>');
  });
});

describe('LoadStatus', () => {
  const error = new ApiError(503, 'UNAVAILABLE', 'down');
  const render = (load: { data?: unknown; error?: ApiError; loading: boolean }, whileError = false): string =>
    renderToStaticMarkup(createElement(LoadStatus, { load, whileError }));

  it('says Loading… while nothing is loaded yet, nothing once it is', () => {
    expect(render({ loading: true })).toBe('<p class="muted">Loading…</p>');
    expect(render({ loading: true, data: [] })).toBe('');
    expect(render({ loading: false, data: [] })).toBe('');
  });

  it('shows the error, and Loading… beside it on a reload only when asked (whileError)', () => {
    expect(render({ loading: false, error })).toContain('<code>UNAVAILABLE</code>');
    expect(render({ loading: true, error })).not.toContain('Loading…');
    expect(render({ loading: true, error }, true)).toContain('Loading…');
    expect(render({ loading: true, error }, true)).toContain('role="alert"');
  });
});
