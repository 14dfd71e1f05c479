/** A small RFC 4180 reader for HAProxy's `;csv` (header line starting `# `, every line ending in a comma). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

/** `;csv` as records keyed `pxname/svname`, each a map from field name to value. */
export function parseStatsCsv(text: string): Map<string, Record<string, string>> {
  const [header, ...lines] = parseCsv(text);
  if (!header || !header[0]?.startsWith('# ')) throw new Error(`not HAProxy stats CSV: ${text.slice(0, 80)}`);
  const names = [header[0].slice(2), ...header.slice(1)];
  const records = new Map<string, Record<string, string>>();
  for (const values of lines) records.set(`${values[0]}/${values[1]}`, Object.fromEntries(names.map((n, i) => [n, values[i] ?? ''])));
  return records;
}
