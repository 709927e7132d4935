/**
 * Fetches papers from NCBI E-utilities (efetch) and finds them by a saved search (esearch). Rate limiting across workers is left to the
 * source task queue's rate limit; this adapter only turns each HTTP outcome into the typed error
 * that tells Temporal whether to retry. The API key never appears in an error message.
 */
import type { PubmedSearch, SourceProvider } from '../contracts';
import type { SourceDocument } from '../../shared/video';
import {
  InvalidProviderReplyError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RateLimitedError,
  SourceNotFoundError,
} from '../errors';
import { parseRetryAfter } from '../retry-after';
import { parseEfetchArticle } from './parse-efetch';

export interface PubmedSourceProviderOptions {
  /** E-utilities base, e.g. https://eutils.ncbi.nlm.nih.gov/entrez/eutils (no trailing slash needed). */
  baseUrl: string;
  /** NCBI API key; raises NCBI's limit from 3 to 10 requests per second. */
  apiKey?: string;
  fetchImpl?: typeof fetch;
}

/** Longest error body quoted in a message: enough for NCBI's one-line errors. */
const BODY_EXCERPT = 200;

/** NCBI echoes the caller's key in some error bodies ("api-key": …), so it is cut out first. */
function excerpt(body: string, apiKey: string | undefined): string {
  const redacted = apiKey ? body.split(apiKey).join('[redacted]') : body;
  const flat = redacted.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_EXCERPT ? `${flat.slice(0, BODY_EXCERPT)}…` : flat;
}

/** Reads papers by PMID through efetch, and finds them by a search through esearch. */
export class PubmedSourceProvider implements SourceProvider {
  private readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: PubmedSourceProviderOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  async fetchPubmed(pmid: string, signal: AbortSignal): Promise<SourceDocument> {
    // PMIDs are plain positive integers; anything else could smuggle extra query parameters.
    if (!/^[1-9]\d{0,9}$/.test(pmid)) throw new SourceNotFoundError(`"${pmid}" is not a PubMed id (digits only)`);
    const body = await this.get('efetch', { db: 'pubmed', id: pmid, retmode: 'xml' }, `PMID ${pmid}`, signal);
    return parseEfetchArticle(body, pmid);
  }

  /**
   * The PMIDs of the newest papers matching a search, newest first (`sort=pub_date`: by
   * publication date, descending). A search that matches nothing is an empty list; one PubMed
   * cannot parse is a SourceNotFoundError that quotes its message.
   */
  async searchPubmed(search: PubmedSearch, signal: AbortSignal): Promise<string[]> {
    const params: Record<string, string> = {
      db: 'pubmed',
      term: search.term,
      retmax: String(search.max),
      sort: 'pub_date',
      retmode: 'json',
    };
    if (search.days !== undefined) Object.assign(params, { datetype: 'edat', reldate: String(search.days) });
    const body = await this.get('esearch', params, 'the search', signal);
    let parsed: { esearchresult?: { idlist?: unknown; ERROR?: unknown } };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new InvalidProviderReplyError(`PubMed answered the search with something other than JSON: ${excerpt(body, this.apiKey)}`);
    }
    const result = parsed.esearchresult;
    if (typeof result?.ERROR === 'string')
      throw new SourceNotFoundError(`PubMed refused the search: ${excerpt(result.ERROR, this.apiKey)}`);
    const ids = result?.idlist;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && /^[1-9]\d{0,9}$/.test(id))) {
      throw new InvalidProviderReplyError('PubMed answered the search without a list of PMIDs');
    }
    return (ids as string[]).slice(0, search.max);
  }

  /** One E-utilities request; each HTTP outcome becomes the typed error that tells Temporal whether to retry. */
  private async get(utility: 'efetch' | 'esearch', params: Record<string, string>, what: string, signal: AbortSignal): Promise<string> {
    const url = new URL(`${this.baseUrl}/${utility}.fcgi`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    if (this.apiKey) url.searchParams.set('api_key', this.apiKey);
    const accept = params.retmode === 'json' ? 'application/json' : 'application/xml, text/xml';

    let response: Response;
    let body: string;
    try {
      response = await this.fetchImpl(url, { signal, headers: { accept } });
      body = await response.text();
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      // The cause may quote the URL, which holds the key; only its class and code are kept.
      const code = (err as { cause?: { code?: string } }).cause?.code;
      throw new ProviderUnavailableError(`PubMed could not be reached${code ? ` (${code})` : ''}`);
    }

    if (response.status === 429) {
      throw new RateLimitedError(`PubMed rate limit exceeded for ${what}`, parseRetryAfter(response.headers.get('retry-after')));
    }
    if (response.status >= 500) {
      throw new ProviderUnavailableError(`PubMed answered ${response.status} for ${what}`);
    }
    if (response.status === 400 && !/api[ _-]?key/i.test(body)) {
      throw new SourceNotFoundError(`PubMed rejected ${what}: ${excerpt(body, this.apiKey)}`);
    }
    if (!response.ok) {
      throw new ProviderRejectedError(`PubMed answered ${response.status} for ${what}: ${excerpt(body, this.apiKey)}`);
    }
    return body;
  }
}
