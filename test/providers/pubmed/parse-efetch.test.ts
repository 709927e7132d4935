import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEfetchArticle } from '../../../src/providers/pubmed/parse-efetch';
import { InvalidProviderReplyError, SourceNotFoundError } from '../../../src/providers/errors';
import { FIXTURE_PMIDS, PUBMED_FIXTURES } from '../../fakes/fake-pubmed';

const fixture = (pmid: string): string => readFileSync(path.join(PUBMED_FIXTURES, `${pmid}.xml`), 'utf8');

describe('parseEfetchArticle', () => {
  it('keeps the labelled sections of a structured abstract in order', () => {
    const doc = parseEfetchArticle(fixture(FIXTURE_PMIDS.structured), FIXTURE_PMIDS.structured);
    expect(doc.title).toBe('Morning light exposure and sleep onset in shift workers: a randomized crossover trial.');
    expect(doc.sections.map((s) => s.label)).toEqual(['BACKGROUND', 'METHODS', 'RESULTS', 'CONCLUSIONS']);
    expect(doc.sections[2]?.text).toContain('21 minutes earlier (95% CI 14–28; P < 0.001)');
    expect(doc.authors).toEqual(['Okafor AN', 'Müller J', 'Tanaka H']);
    expect(doc.journal).toBe('Journal of Sleep & Circadian Research');
    expect(doc.year).toBe(2023);
    expect(doc.doi).toBe('10.5555/jscr.2023.2041');
    expect(doc.pmid).toBe(FIXTURE_PMIDS.structured);
  });

  it('flattens inline markup and reads collective authors, MedlineDate and the ArticleId DOI', () => {
    const doc = parseEfetchArticle(fixture(FIXTURE_PMIDS.plain), FIXTURE_PMIDS.plain);
    expect(doc.title).toBe('Growth of Escherichia coli at 105 cells per millilitre in river water.');
    expect(doc.sections).toHaveLength(1);
    expect(doc.sections[0]?.label).toBeUndefined();
    expect(doc.sections[0]?.text).toMatch(/^We followed Escherichia coli in samples of river water kept at 4 °C/);
    expect(doc.authors).toEqual(['García-López M', 'River Water Quality Study Group']);
    expect(doc.year).toBe(1998);
    expect(doc.doi).toBe('10.5555/ame.1998.52.301');
  });

  it('reports an article without abstract as not found', () => {
    expect(() => parseEfetchArticle(fixture(FIXTURE_PMIDS.noAbstract), FIXTURE_PMIDS.noAbstract)).toThrow(
      new SourceNotFoundError(`PubMed article ${FIXTURE_PMIDS.noAbstract} has no abstract`),
    );
  });

  it('reports an empty article set as not found', () => {
    const err = (() => {
      try {
        parseEfetchArticle('<?xml version="1.0" ?>\n<PubmedArticleSet></PubmedArticleSet>\n', '1');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SourceNotFoundError);
  });

  it('treats a reply that is not PubMed XML as an invalid reply', () => {
    expect(() => parseEfetchArticle('<html><body>oops', '1')).toThrow(InvalidProviderReplyError);
    expect(() => parseEfetchArticle('{"error":"x"}', '1')).toThrow(InvalidProviderReplyError);
  });
});
