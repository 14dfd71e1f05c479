/**
 * `;json`: HAProxy's typed-field format, an array with one array per row, each
 * field an object with its position, name, tags and typed value, as haproxy
 * 2.6 prints it (only fields that have a value, like haproxy).
 */
import { fieldInfo, fieldPosition, CSV_FIELDS, type StatsFieldName } from './fields.ts';
import type { StatsRow } from './collect.ts';

export interface TypedField {
  readonly objType: string;
  readonly proxyId: number;
  readonly id: number;
  readonly field: { readonly pos: number; readonly name: string };
  readonly processNum: number;
  readonly tags: { readonly origin: string; readonly nature: string; readonly scope: string };
  readonly value: { readonly type: string; readonly value: string | number };
}

export function typedFields(rows: readonly StatsRow[]): TypedField[][] {
  return rows.map((row) =>
    CSV_FIELDS.filter((name): name is StatsFieldName => row.fields[name] !== undefined).map((name) => {
      const [type, origin, nature, scope] = fieldInfo(row.objType, name);
      const raw = row.fields[name]!;
      return {
        objType: row.objType,
        proxyId: row.proxyId,
        id: row.id,
        field: { pos: fieldPosition(name), name },
        processNum: 1,
        tags: { origin, nature, scope },
        value: { type, value: type === 'str' ? String(raw) : Number(raw) },
      };
    }),
  );
}

export function renderJson(rows: readonly StatsRow[]): string {
  return JSON.stringify(typedFields(rows));
}
