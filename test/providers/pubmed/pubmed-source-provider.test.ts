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
});
