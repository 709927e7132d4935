import { PubmedSourceProvider } from '../../../src/providers/pubmed/pubmed-source-provider';
import { ProviderUnavailableError, RateLimitedError, SourceNotFoundError } from '../../../src/providers/errors';
import { FIXTURE_PMIDS, startFakePubmed, type FakePubmed } from '../../fakes/fake-pubmed';

const API_KEY = 'test-key';

describe('PubmedSourceProvider', () => {
  let fake: FakePubmed;
  let provider: PubmedSourceProvider;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    fake = await startFakePubmed();
    provider = new PubmedSourceProvider({ baseUrl: `${fake.url}/`, apiKey: API_KEY });
  });
  afterAll(() => fake.close());

  it('fetches a structured abstract through efetch with db, id, retmode and the API key', async () => {
    const doc = await provider.fetchPubmed(FIXTURE_PMIDS.structured, signal);
    expect(doc.sections).toHaveLength(4);
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/efetch.fcgi',
      params: { db: 'pubmed', id: FIXTURE_PMIDS.structured, retmode: 'xml', api_key: API_KEY },
    });
  });

  it('fetches a plain abstract', async () => {
    const doc = await provider.fetchPubmed(FIXTURE_PMIDS.plain, signal);
    expect(doc.sections).toEqual([{ text: expect.stringContaining('Cold rivers may') }]);
  });

  it('reports an unknown PMID as not found', async () => {
    await expect(provider.fetchPubmed('39999999', signal)).rejects.toBeInstanceOf(SourceNotFoundError);
  });

  it('reports a paper without abstract as not found', async () => {
    await expect(provider.fetchPubmed(FIXTURE_PMIDS.noAbstract, signal)).rejects.toThrow('has no abstract');
  });

  it('refuses a PMID that is not digits without calling PubMed', async () => {
    const before = fake.requests.length;
    await expect(provider.fetchPubmed('123&db=other', signal)).rejects.toBeInstanceOf(SourceNotFoundError);
    expect(fake.requests).toHaveLength(before);
  });

  it('turns 429 into RateLimitedError with the Retry-After delay and without the key', async () => {
    fake.failNext({ status: 429, retryAfterSec: 2 });
    const err = await provider.fetchPubmed(FIXTURE_PMIDS.plain, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(2000);
    expect((err as Error).message).not.toContain(API_KEY);
  });

  it('turns 503 into a retryable ProviderUnavailableError', async () => {
    fake.failNext({ status: 503 });
    const err = await provider.fetchPubmed(FIXTURE_PMIDS.plain, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as ProviderUnavailableError).retryable).toBe(true);
  });

  it('turns a refused connection into ProviderUnavailableError without leaking the key', async () => {
    const closed = await startFakePubmed();
    await closed.close();
    const offline = new PubmedSourceProvider({ baseUrl: closed.url, apiKey: API_KEY });
    const err = await offline.fetchPubmed(FIXTURE_PMIDS.plain, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as Error).message).not.toContain(API_KEY);
  });

  it('rejects with the abort when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(provider.fetchPubmed(FIXTURE_PMIDS.plain, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  describe('searchPubmed (esearch)', () => {
    it('finds the newest matching papers, newest first, asking for JSON sorted by publication date', async () => {
      await fake.publish('31000042', FIXTURE_PMIDS.structured);
      expect(await provider.searchPubmed({ term: 'shift workers', max: 5 }, signal)).toEqual(['31000042', FIXTURE_PMIDS.structured]);
      expect(fake.requests.at(-1)).toMatchObject({
        path: '/esearch.fcgi',
        params: { db: 'pubmed', term: 'shift workers', retmax: '5', sort: 'pub_date', retmode: 'json', api_key: API_KEY },
      });
      expect(await provider.searchPubmed({ term: 'shift workers', max: 1 }, signal)).toEqual(['31000042']);
    });

    it('limits the search to papers added within `days`', async () => {
      await provider.searchPubmed({ term: 'shift workers', max: 1, days: 7 }, signal);
      expect(fake.requests.at(-1)?.params).toMatchObject({ datetype: 'edat', reldate: '7' });
    });

    it('answers an empty list for a search that matches nothing', async () => {
      expect(await provider.searchPubmed({ term: 'zebra unicorn', max: 3 }, signal)).toEqual([]);
    });

    it("reports PubMed's refusal of a search as not found, quoting it", async () => {
      await expect(provider.searchPubmed({ term: ' ', max: 1 }, signal)).rejects.toThrow(
        new SourceNotFoundError('PubMed refused the search: Empty term and query_key - nothing todo'),
      );
    });

    it('turns 429 and 503 into retryable errors, as for a fetch', async () => {
      fake.failNext({ status: 429, retryAfterSec: 1 }, { status: 503 });
      await expect(provider.searchPubmed({ term: 'sleep', max: 1 }, signal)).rejects.toBeInstanceOf(RateLimitedError);
      await expect(provider.searchPubmed({ term: 'sleep', max: 1 }, signal)).rejects.toBeInstanceOf(ProviderUnavailableError);
    });
  });
});
