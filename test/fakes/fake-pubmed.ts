/**
 * A stand-in for NCBI E-utilities efetch and esearch, answering like the real service: an unknown
 * PMID gets 200 with an empty PubmedArticleSet, a malformed id gets 400 with an error body, and
 * failures can be programmed per request (429 with Retry-After, 503). Records are served from
 * test/fixtures/pubmed/<pmid>.xml and from papers a test `publish`es. esearch (JSON) matches every
 * word of the term in a record's text, newest first; a newer paper has a larger PMID here, so that
 * is PMID order. An empty term gets NCBI's ERROR answer.
 */
import { readFile, readdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const PUBMED_FIXTURES = path.join(__dirname, '..', 'fixtures', 'pubmed');

/** Fixture PMIDs by what they exercise. */
export const FIXTURE_PMIDS = { structured: '31000001', plain: '31000002', noAbstract: '31000003' } as const;

export type FakePubmedFailure = { status: 429; retryAfterSec?: number } | { status: 500 | 502 | 503 };

export interface FakePubmedRequest {
  at: number;
  path: string;
  params: Record<string, string>;
  status: number;
}

export interface FakePubmed {
  url: string;
  requests: FakePubmedRequest[];
  /** The next requests fail as given, in order, before fixtures are served again. */
  failNext(...failures: FakePubmedFailure[]): void;
  /** Adds a paper, served by efetch and found by esearch from now on (a copy of a fixture under a new PMID). */
  publish(pmid: string, likeFixture: string): Promise<void>;
  close(): Promise<void>;
}

const EMPTY_SET = `<?xml version="1.0" ?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">
<PubmedArticleSet></PubmedArticleSet>
`;

function invalidIdBody(id: string): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">
<eFetchResult>
\t<ERROR>ID list is empty! Possibly it has no correct IDs. Invalid uid ${id}</ERROR>
</eFetchResult>
`;
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakePubmed(): Promise<FakePubmed> {
  const requests: FakePubmedRequest[] = [];
  const failures: FakePubmedFailure[] = [];
  const published = new Map<string, string>();
  const record = async (id: string) => published.get(id) ?? readFile(path.join(PUBMED_FIXTURES, `${id}.xml`), 'utf8');
  const search = async (term: string, retmax: number) => {
    const words = term.toLowerCase().split(/\s+/).filter(Boolean);
    const fixtures = (await readdir(PUBMED_FIXTURES)).filter((f) => f.endsWith('.xml')).map((f) => f.slice(0, -4));
    const ids = [...new Set([...fixtures, ...published.keys()])];
    const texts = await Promise.all(ids.map(async (id) => [id, (await record(id)).toLowerCase()] as const));
    const matching = texts.filter(([, text]) => words.every((w) => text.includes(w))).map(([id]) => id);
    matching.sort((a, b) => Number(b) - Number(a));
    return {
      count: String(matching.length),
      retmax: String(Math.min(retmax, matching.length)),
      retstart: '0',
      idlist: matching.slice(0, retmax),
    };
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const params = Object.fromEntries(url.searchParams);
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      requests.push({ at: Date.now(), path: url.pathname, params, status });
      res.writeHead(status, { 'content-type': 'text/xml; charset=UTF-8', ...headers });
      res.end(body);
    };
    if (req.method !== 'GET' || !['/efetch.fcgi', '/esearch.fcgi'].includes(url.pathname)) return send(404, 'Not Found');
    const failure = failures.shift();
    if (failure?.status === 429) {
      const body = JSON.stringify({ error: 'API rate limit exceeded', 'api-key': params.api_key ?? '127.0.0.1', count: '4', limit: '3' });
      const retry: Record<string, string> = failure.retryAfterSec === undefined ? {} : { 'retry-after': String(failure.retryAfterSec) };
      return send(429, body, { 'content-type': 'application/json', ...retry });
    }
    if (failure) return send(failure.status, '<html><body><h1>Service Unavailable</h1></body></html>', { 'content-type': 'text/html' });
    if (url.pathname === '/esearch.fcgi') {
      const json = { 'content-type': 'application/json; charset=UTF-8' };
      const term = (params.term ?? '').trim();
      if (!term) return send(200, JSON.stringify({ esearchresult: { ERROR: 'Empty term and query_key - nothing todo' } }), json);
      return void search(term, Number(params.retmax ?? 20)).then((result) =>
        send(200, JSON.stringify({ header: { type: 'esearch', version: '0.3' }, esearchresult: result }), json),
      );
    }
    if (params.db !== 'pubmed') return send(400, invalidIdBody(params.id ?? ''));
    const id = params.id ?? '';
    if (!/^\d+$/.test(id)) return send(400, invalidIdBody(id));
    record(id).then(
      (xml) => send(200, xml),
      () => send(200, EMPTY_SET),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (...next) => failures.push(...next),
    async publish(pmid, likeFixture) {
      const xml = await readFile(path.join(PUBMED_FIXTURES, `${likeFixture}.xml`), 'utf8');
      published.set(pmid, xml.replaceAll(`>${likeFixture}<`, `>${pmid}<`));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
