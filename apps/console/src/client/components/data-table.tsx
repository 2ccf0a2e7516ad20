import { Fragment, Key, ReactNode } from 'react';

/** One column: its header, its cell for a row; numeric columns (header and cells) are right-aligned ("num"). */
export interface Column<T> {
  title: string;
  numeric?: boolean;
  /** the cell's class other than "num" (e.g. "actions") */
  className?: string;
  cell: (row: T, index: number) => ReactNode;
}

/** A row shown under a row (an explanation, a payload) across the columns, or after `indent` empty cells. */
export interface RowDetail<T> {
  render: (row: T, index: number) => ReactNode | null;
  className?: string;
  indent?: number;
}

export interface DataTableProps<T> {
  columns: Column<T>[];
  /** undefined while nothing is loaded: no rows and no empty row */
  rows: readonly T[] | undefined;
  rowKey: (row: T, index: number) => Key;
  /** the text of the row shown when there are no rows; no such row without it */
  empty?: string;
  label?: string;
  className?: string;
  detail?: RowDetail<T>;
}

function cellClass<T>(column: Column<T>): string | undefined {
  const classes = [column.numeric ? 'num' : undefined, column.className].filter(Boolean);
  return classes.length > 0 ? classes.join(' ') : undefined;
}

/** The console's tables: a header row, a row per item (and its detail row if any), a muted "No …" row when empty. */
export function DataTable<T>({ columns, rows, rowKey, empty, label, className, detail }: DataTableProps<T>) {
  return (
    <table aria-label={label} className={className}>
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th key={index} className={column.numeric ? 'num' : undefined}>
              {column.title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {(rows ?? []).map((row, index) => {
          const more = detail?.render(row, index);
          const indent = detail?.indent ?? 0;
          return (
            <Fragment key={rowKey(row, index)}>
              <tr>
                {columns.map((column, position) => (
                  <td key={position} className={cellClass(column)}>
                    {column.cell(row, index)}
                  </td>
                ))}
              </tr>
              {more ? (
                <tr className={detail?.className}>
                  {Array.from({ length: indent }, (_, position) => (
                    <td key={position} />
                  ))}
                  <td colSpan={columns.length - indent}>{more}</td>
                </tr>
              ) : null}
            </Fragment>
          );
        })}
        {rows && rows.length === 0 && empty !== undefined ? (
          <tr>
            <td colSpan={columns.length} className="muted">
              {empty}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
