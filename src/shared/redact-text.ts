/**
 * Removes what a client of the API must never read from a message meant for it: absolute paths of
 * the server's disk (a file's name is enough to say which input failed) and secret values. Pure
 * string work, so workers, the API and the workflow sandbox may all use it.
 */

/** Characters that end a path segment in tool output: space, quotes, separators, brackets. */
const SEGMENT = String.raw`[^\s/\\'"\`<>|:;,()[\]{}]+`;
/** A quoted absolute path, which may hold spaces: `'/media/my videos/clip.mp4'`. */
const QUOTED_PATH = /(['"`])\/[^'"`\n]*\/([^'"`\n/]*)\1/g;
/**
 * An absolute path not inside a word or a URL (`a/b`, `1/2` and `https://host/x` are left alone);
 * it keeps its last segment.
 */
const BARE_PATH = new RegExp(String.raw`(?<![\w.~:/\\-])\/(?:${SEGMENT}\/)*(${SEGMENT})`, 'g');

/** `text` with every absolute path replaced by its base name. */
export function redactPaths(text: string): string {
  return text.replace(QUOTED_PATH, '$1$2$1').replace(BARE_PATH, '$1');
}

/** Very short values would blank out ordinary words; real secrets are far longer. */
const MIN_SECRET_LENGTH = 6;

/** `text` with every one of `secrets` replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH && out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}
