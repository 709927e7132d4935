/**
 * Fetches papers from NCBI E-utilities (efetch). Rate limiting across workers is left to the
 * source task queue's rate limit; this adapter only turns each HTTP outcome into the typed error
 * that tells Temporal whether to retry. The API key never appears in an error message.
 */
import type { SourceProvider } from '../contracts';
import type { SourceDocument } from '../../shared/video';
import { ProviderRejectedError, ProviderUnavailableError, RateLimitedError, SourceNotFoundError } from '../errors';
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

/** Reads papers by PMID through efetch. */
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
    const url = new URL(`${this.baseUrl}/efetch.fcgi`);
    url.searchParams.set('db', 'pubmed');
    url.searchParams.set('id', pmid);
    url.searchParams.set('retmode', 'xml');
    if (this.apiKey) url.searchParams.set('api_key', this.apiKey);

    let response: Response;
    let body: string;
    try {
      response = await this.fetchImpl(url, { signal, headers: { accept: 'application/xml, text/xml' } });
      body = await response.text();
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      // The cause may quote the URL, which holds the key; only its class and code are kept.
      const code = (err as { cause?: { code?: string } }).cause?.code;
      throw new ProviderUnavailableError(`PubMed could not be reached${code ? ` (${code})` : ''}`);
    }

    if (response.status === 429) {
      throw new RateLimitedError(`PubMed rate limit exceeded for PMID ${pmid}`, parseRetryAfter(response.headers.get('retry-after')));
    }
    if (response.status >= 500) {
      throw new ProviderUnavailableError(`PubMed answered ${response.status} for PMID ${pmid}`);
    }
    if (response.status === 400 && !/api[ _-]?key/i.test(body)) {
      throw new SourceNotFoundError(`PubMed rejected PMID ${pmid}: ${excerpt(body, this.apiKey)}`);
    }
    if (!response.ok) {
      throw new ProviderRejectedError(`PubMed answered ${response.status} for PMID ${pmid}: ${excerpt(body, this.apiKey)}`);
    }
    return parseEfetchArticle(body, pmid);
  }
}
