/**
 * `reelflow list`: one page of the caller's videos as a table with a header, newest first, and
 * the command that shows the next page with the same filters.
 */
import type { ReelflowApiClient } from './api-client';

interface ListItem {
  id: string;
  status: string;
  stage: string;
  createdAt: string;
  /** Null or absent while the run has not read it yet. */
  title?: string | null;
}

/** The filters `list` passes on to `GET /api/videos`, in the order the "more" hint repeats them. */
export const LIST_FILTERS = ['status', 'stage', 'limit'] as const;
type ListFilters = Partial<Record<(typeof LIST_FILTERS)[number] | 'cursor', string>>;

/** Columns padded to their widest cell; the title comes last, so a long one pads nothing. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

export async function listVideos(
  client: ReelflowApiClient,
  filters: ListFilters,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const query = new URLSearchParams();
  for (const key of [...LIST_FILTERS, 'cursor'] as const) if (filters[key]) query.set(key, filters[key]);
  const page = await client.json<{ items: ListItem[]; nextCursor: string | null }>(
    'GET',
    `/api/videos${query.size ? `?${query.toString()}` : ''}`,
  );
  if (page.items.length === 0) io.stderr.write('reelflow: no videos\n');
  else {
    const rows = [
      ['ID', 'STATUS', 'STAGE', 'CREATED', 'TITLE'],
      ...page.items.map((v) => [v.id, v.status, v.stage, v.createdAt, v.title ?? '—']),
    ];
    io.stdout.write(`${formatTable(rows)}\n`);
  }
  if (page.nextCursor) {
    const kept = LIST_FILTERS.filter((key) => filters[key]).map((key) => ` --${key} ${shellWord(filters[key]!)}`);
    io.stderr.write(`more: reelflow list${kept.join('')} --cursor ${shellWord(page.nextCursor)}\n`);
  }
  return 0;
}

/** Quotes a word for a POSIX shell when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_.,:=/@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
