/** A column of a TableHead: its heading; with `num`, a column of numbers (set right, as its cells). */
export type Column = string | { label: string; num: true };

/** The header row of a table whose rows end with their buttons: a heading per column, then the buttons' column, named for screen readers only. */
export function TableHead({ columns, actions }: { columns: Column[]; actions: string }) {
  return (
    <thead>
      <tr>
        {columns.map((column, i) =>
          typeof column === 'string' ? (
            <th key={i} scope="col">
              {column}
            </th>
          ) : (
            <th key={i} scope="col" className="num">
              {column.label}
            </th>
          ),
        )}
        <th scope="col">
          <span className="visually-hidden">{actions}</span>
        </th>
      </tr>
    </thead>
  );
}
