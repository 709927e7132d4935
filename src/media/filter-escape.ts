/**
 * Escapes a value for use as a filter option inside an ffmpeg filtergraph string. Two levels
 * apply (see "Notes on filtergraph escaping" in ffmpeg-filters): the option parser's (\ ' :)
 * and then the graph parser's (\ ' [ ] , ;). Paths from the system can carry any of these.
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}
