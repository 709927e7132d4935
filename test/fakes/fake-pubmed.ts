/**
 * A stand-in for NCBI E-utilities efetch, answering like the real service: an unknown PMID gets
 * 200 with an empty PubmedArticleSet, a malformed id gets 400 with an error body, and failures
 * can be programmed per request (429 with Retry-After, 503). Records are served from
 * test/fixtures/pubmed/<pmid>.xml.
 */
import { readFile } from 'node:fs/promises';
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

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const params = Object.fromEntries(url.searchParams);
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      requests.push({ at: Date.now(), path: url.pathname, params, status });
      res.writeHead(status, { 'content-type': 'text/xml; charset=UTF-8', ...headers });
      res.end(body);
    };
    if (req.method !== 'GET' || url.pathname !== '/efetch.fcgi') return send(404, 'Not Found');
    const failure = failures.shift();
    if (failure?.status === 429) {
      const body = JSON.stringify({ error: 'API rate limit exceeded', 'api-key': params.api_key ?? '127.0.0.1', count: '4', limit: '3' });
      const retry: Record<string, string> = failure.retryAfterSec === undefined ? {} : { 'retry-after': String(failure.retryAfterSec) };
      return send(429, body, { 'content-type': 'application/json', ...retry });
    }
    if (failure) return send(failure.status, '<html><body><h1>Service Unavailable</h1></body></html>', { 'content-type': 'text/html' });
    if (params.db !== 'pubmed') return send(400, invalidIdBody(params.id ?? ''));
    const id = params.id ?? '';
    if (!/^\d+$/.test(id)) return send(400, invalidIdBody(id));
    readFile(path.join(PUBMED_FIXTURES, `${id}.xml`), 'utf8').then(
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
