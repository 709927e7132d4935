/**
 * Turns an E-utilities efetch reply (db=pubmed, retmode=xml) into the SourceDocument a script
 * writer reads. Parsing is pure and separate from fetching so that fixtures of real-shaped
 * records can pin every quirk of the format (labelled abstracts, MedlineDate, collective authors).
 */
import type { SourceDocument } from '../../shared/video';
import { InvalidProviderReplyError, SourceNotFoundError } from '../errors';
import { childElements, findPath, parseXml, textContent, type XmlElement } from './xml-tree';

/** Labels PubMed uses for "no real label"; such sections are kept as plain text. */
const NON_LABELS = new Set(['UNLABELLED', 'UNASSIGNED']);

function pickArticle(set: XmlElement, pmid: string): XmlElement | undefined {
  const articles = childElements(set, 'PubmedArticle');
  return articles.find((a) => textContent(findPath(a, 'MedlineCitation', 'PMID')) === pmid) ?? articles[0];
}

function readAuthors(article: XmlElement): string[] {
  const list = findPath(article, 'AuthorList');
  if (!list) return [];
  const authors: string[] = [];
  for (const author of childElements(list, 'Author')) {
    if (author.attributes.ValidYN === 'N') continue;
    const collective = textContent(findPath(author, 'CollectiveName'));
    const last = textContent(findPath(author, 'LastName'));
    const initials = textContent(findPath(author, 'Initials'));
    const name = collective || [last, initials].filter(Boolean).join(' ');
    if (name) authors.push(name);
  }
  return authors;
}

function readYear(article: XmlElement): number | undefined {
  const pubDate = findPath(article, 'Journal', 'JournalIssue', 'PubDate');
  // MedlineDate holds free text such as "1998 Dec-1999 Jan"; its first year is the issue's.
  const candidates = [
    textContent(findPath(pubDate, 'Year')),
    textContent(findPath(pubDate, 'MedlineDate')),
    textContent(findPath(article, 'ArticleDate', 'Year')),
  ];
  for (const text of candidates) {
    const match = /\b(1[89]\d\d|2\d\d\d)\b/.exec(text);
    if (match?.[1]) return Number(match[1]);
  }
  return undefined;
}

function readDoi(article: XmlElement, record: XmlElement): string | undefined {
  const eloc = childElements(article, 'ELocationID').find((e) => e.attributes.EIdType === 'doi');
  // Only the record's own ArticleIdList: ReferenceList entries carry the DOIs of cited papers.
  const ids = findPath(record, 'PubmedData', 'ArticleIdList');
  const articleId = ids ? childElements(ids, 'ArticleId').find((e) => e.attributes.IdType === 'doi') : undefined;
  const doi = textContent(eloc) || textContent(articleId);
  return doi || undefined;
}

function readSections(article: XmlElement): SourceDocument['sections'] {
  const abstract = findPath(article, 'Abstract');
  if (!abstract) return [];
  const sections: SourceDocument['sections'] = [];
  for (const part of childElements(abstract, 'AbstractText')) {
    const text = textContent(part);
    if (!text) continue;
    const label = part.attributes.Label?.trim();
    sections.push(label && !NON_LABELS.has(label.toUpperCase()) ? { label, text } : { text });
  }
  return sections;
}

/**
 * Reads the article `pmid` from an efetch reply. Throws SourceNotFoundError when the reply holds
 * no article (efetch answers an unknown id with an empty set) or the article has no abstract,
 * and InvalidProviderReplyError when the reply is not PubMed XML at all.
 */
export function parseEfetchArticle(xml: string, pmid: string): SourceDocument {
  let root: XmlElement | undefined;
  try {
    root = findPath(parseXml(xml), 'PubmedArticleSet');
  } catch (err) {
    throw new InvalidProviderReplyError(`PubMed reply for PMID ${pmid} is not valid XML: ${(err as Error).message}`);
  }
  if (!root) throw new InvalidProviderReplyError(`PubMed reply for PMID ${pmid} has no PubmedArticleSet`);
  const record = pickArticle(root, pmid);
  const article = findPath(record, 'MedlineCitation', 'Article');
  if (!record || !article) throw new SourceNotFoundError(`PubMed has no article with PMID ${pmid}`);

  const sections = readSections(article);
  if (sections.length === 0) throw new SourceNotFoundError(`PubMed article ${pmid} has no abstract`);

  const document: SourceDocument = {
    title: textContent(findPath(article, 'ArticleTitle')) || `PubMed ${pmid}`,
    sections,
    authors: readAuthors(article),
    pmid: textContent(findPath(record, 'MedlineCitation', 'PMID')) || pmid,
  };
  const journal = textContent(findPath(article, 'Journal', 'Title'));
  if (journal) document.journal = journal;
  const year = readYear(article);
  if (year !== undefined) document.year = year;
  const doi = readDoi(article, record);
  if (doi) document.doi = doi;
  return document;
}
