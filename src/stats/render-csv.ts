/**
 * `;csv`: HAProxy 2.6's CSV, column for column (`# pxname,svname,…` header,
 * every line ending in a comma, fields edge-balancer does not measure left
 * empty as haproxy leaves unset ones), so existing HAProxy tooling parses it.
 */
import { CSV_FIELDS } from './fields.ts';
import type { StatsRow, StatsValue } from './collect.ts';

export function renderCsv(rows: readonly StatsRow[]): string {
  const lines = [`# ${CSV_FIELDS.join(',')},`];
  for (const row of rows) lines.push(CSV_FIELDS.map((name) => csvValue(row.fields[name])).join(',') + ',');
  return lines.join('\n') + '\n';
}

/** HAProxy quotes nothing; a comma or line break in a value (a name, a check message) is replaced to keep the columns. */
function csvValue(value: StatsValue | undefined): string {
  if (value === undefined) return '';
  return String(value).replace(/[,\r\n]/g, ' ');
}
