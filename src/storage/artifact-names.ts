/**
 * The one check of video ids and artifact names, shared by every store, so that no id or name
 * can reach outside MEDIA_ROOT or the bucket's prefix. Working copies in progress start with a
 * dot, which no artifact name may, so listings tell them apart.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { UnsafeMediaPathError } from './unsafe-media-path-error';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const isSafeVideoId = (videoId: string): boolean => SAFE_ID.test(videoId);
export const isArtifactName = (name: string): boolean => SAFE_NAME.test(name) && !name.includes('..');

export function checkVideoId(videoId: string): string {
  if (!isSafeVideoId(videoId)) throw new UnsafeMediaPathError(videoId);
  return videoId;
}

export function checkArtifactName(name: string): string {
  if (!isArtifactName(name)) throw new UnsafeMediaPathError(name);
  return name;
}

/** A fresh hidden name for a working copy of `name`; it keeps the extension, which ffmpeg reads. */
export function workingCopyName(name: string): string {
  return `.${name}.${crypto.randomBytes(6).toString('hex')}${path.extname(name)}`;
}

/** The artifact name a working copy's file name stands for; the name itself when it is not a working copy. */
export function artifactOfWorkingCopy(fileName: string): string {
  const match = /^\.(.+)\.[0-9a-f]{12}(\.[^.]*)?$/.exec(fileName);
  if (!match?.[1] || path.extname(match[1]) !== (match[2] ?? '')) return fileName;
  return match[1];
}
