import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PubmedSearch, SourceProvider } from '../providers/contracts';
import { FailureType } from '../shared/failure-types';
import type { SourceDocument, VideoSource } from '../shared/video';
import { atActivityBoundary } from './to-application-failure';

/** Splits pasted text into sections at blank lines, so scene titles follow the author's structure. */
export function documentFromText(title: string, text: string): SourceDocument {
  const sections = text
    .split(/\n\s*\n/)
    .map((block) => block.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .map((block) => ({ text: block }));
  if (sections.length === 0) {
    throw ApplicationFailure.nonRetryable('The text source is empty', FailureType.InvalidInput);
  }
  return { title: title.trim(), sections, authors: [] };
}

/** Stage `fetching_source`: resolves a source into a document (PubMed is fetched, text is split). */
export function createFetchSource(deps: { sourceProvider: SourceProvider }) {
  return {
    async fetchSource(source: VideoSource): Promise<SourceDocument> {
      return atActivityBoundary(async () => {
        if (source.type === 'text') return documentFromText(source.title, source.text);
        if (source.type === 'slideshow')
          throw ApplicationFailure.nonRetryable('A slideshow has no document to fetch', FailureType.InvalidInput);
        const { cancellationSignal } = Context.current();
        return deps.sourceProvider.fetchPubmed(source.pmid, cancellationSignal);
      });
    },

    /** A saved search's firing (src/workflows/scheduled-start.ts): the PMIDs of the newest matching papers. */
    async searchPubmed(search: PubmedSearch): Promise<string[]> {
      return atActivityBoundary(() => deps.sourceProvider.searchPubmed(search, Context.current().cancellationSignal));
    },
  };
}
