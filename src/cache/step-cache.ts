/**
 * The content-addressed cache of provider outputs: a script, a narration, a clip. Each entry is
 * stored under a key derived from everything that determines the output (the provider and its
 * model and settings, the text or prompt, the voice, the format, and the version of the step's own
 * code), so an entry can only ever be the output its key describes: a hit is never stale, and any
 * change to an input is a miss. Entries live in the artifact store, each a folder `cache-<key>`
 * holding the output and `entry.json` (written last, so an entry without it is not one). The
 * retention sweep removes a folder like any other whose run it does not know:
 * MEDIA_RETENTION_FAILED_DAYS after it was last written, and a hit writes `entry.json` again.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { log } from '@temporalio/activity';
import { ArtifactMissingError } from '../storage/artifact-missing-error';
import { canonicalJson } from '../shared/canonical-json';
import type { CacheScope } from '../shared/video';
import type { ArtifactStore } from '../storage/artifact-store';
import { copyArtifact } from '../storage/copy-artifact';

/** Bumped when a step's own code changes what it makes from the same inputs. */
export const STEP_CODE_VERSIONS = { script: 1, narration: 1, clip: 1 } as const;
export type CachedStep = keyof typeof STEP_CODE_VERSIONS;

const ENTRY_FILE = 'entry.json';

/** What an entry says of itself: when it was made and what making it cost. */
export interface CacheEntry {
  step: CachedStep;
  /** The output's name in the entry's folder; absent for a JSON-only output (a script). */
  file?: string;
  /** A JSON output, or facts about the file (a narration's length). */
  value?: unknown;
  /** What the provider billed to make it: what a hit saves. */
  credits: number;
  tokens?: number;
  createdAt: string;
}

/** The store folder of the entry for `determinants` of `step`, in `scope`. */
export function cacheKey(scope: CacheScope, step: CachedStep, determinants: unknown): string {
  const digest = createHash('sha256')
    .update(canonicalJson({ scope, step, version: STEP_CODE_VERSIONS[step], determinants }))
    .digest('hex');
  return `cache-${digest}`;
}

export const isCacheFolder = (name: string) => /^cache-[0-9a-f]{64}$/.test(name);

export class StepCache {
  constructor(private readonly store: ArtifactStore) {}

  /** The entry under `key`, or undefined. A hit is written again, so retention counts from its last use. */
  async get(key: string): Promise<CacheEntry | undefined> {
    let file: string;
    try {
      file = await this.store.fetch(key, ENTRY_FILE);
    } catch (err) {
      if (err instanceof ArtifactMissingError) return undefined;
      throw err;
    }
    const entry = JSON.parse(await fs.readFile(file, 'utf8')) as CacheEntry;
    if (entry.file && (await this.store.info(key, entry.file)) === undefined) return undefined;
    await this.writeEntry(key, entry).catch(() => undefined);
    return entry;
  }

  /** Copies a hit's file into a video's folder as `name`. */
  async copyInto(key: string, entry: CacheEntry, videoId: string, name: string, signal?: AbortSignal): Promise<void> {
    if (!entry.file) throw new Error(`Cache entry ${key} holds no file`);
    await copyArtifact(this.store, { videoId: key, name: entry.file }, { videoId, name }, signal);
  }

  /**
   * Stores an output: a copy of `file` (a path on this host, left in place), then the entry. Two
   * runs putting the same key write the same bytes, so the last one winning is harmless. A failure
   * is logged, never thrown: the step's output is made and paid for, and must not be made again
   * because the cache could not keep a copy.
   */
  async put(key: string, entry: Omit<CacheEntry, 'file' | 'createdAt'>, file?: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.putOrThrow(key, entry, file, signal);
    } catch (err) {
      log.warn('The step cache could not store an output', { key, step: entry.step, error: (err as Error).message });
    }
  }

  private async putOrThrow(key: string, entry: Omit<CacheEntry, 'file' | 'createdAt'>, file?: string, signal?: AbortSignal): Promise<void> {
    let name: string | undefined;
    if (file) {
      name = `output${path.extname(file)}`;
      const working = await this.store.tempPath(key, name);
      await fs.copyFile(file, working);
      await this.store.publish(key, name, working, signal);
    }
    await this.writeEntry(key, { ...entry, ...(name ? { file: name } : {}), createdAt: new Date().toISOString() });
  }

  private async writeEntry(key: string, entry: CacheEntry): Promise<void> {
    const working = await this.store.tempPath(key, ENTRY_FILE);
    await fs.writeFile(working, JSON.stringify(entry));
    await this.store.publish(key, ENTRY_FILE, working);
  }
}
