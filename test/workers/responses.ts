/** Reading the echo backends' answers as the Worker passed them on. */
import type { ClientResponse } from '../helpers/http-client.ts';

export const servedBy = (response: ClientResponse): string => (JSON.parse(response.body) as { server: string }).server;

/** The Cookie lines the backend received (workerd sends header names in its own case). */
export const backendCookies = (response: ClientResponse): string[] =>
  (JSON.parse(response.body) as { headers: [string, string][] }).headers.filter(([n]) => n.toLowerCase() === 'cookie').map(([, v]) => v);

export const basicAuth = (credentials: string): [string, string] => ['Authorization', `Basic ${Buffer.from(credentials).toString('base64')}`];

/** The `;csv` rows as objects keyed by the header line's field names. */
export function csvRows(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trim().split('\n');
  const names = header!.replace(/^# /, '').split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [names[i], value])));
}
