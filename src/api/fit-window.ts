/**
 * Sizing a start-time window to a read budget. Runs come back from visibility unordered, so a
 * window is read whole or not at all; one that holds more runs than are left to read is narrowed
 * toward its newer end by halving, with one count query per step, which holds whether runs are
 * spread evenly or started in a burst.
 */

/**
 * The widest window, ending where the given one ends, that holds at most `budget` runs; halving
 * stops early at a window that holds at least `enough`. `countWithin(width)` counts the runs of
 * the window of that width. Below one millisecond nothing narrows further: a single millisecond
 * is returned even if it holds more than `budget`.
 */
export async function fitWindow(
  countWithin: (widthMs: number) => Promise<number>,
  widthMs: number,
  count: number,
  budget: number,
  enough: number,
): Promise<{ widthMs: number; count: number }> {
  if (count <= budget) return { widthMs, count };
  // `fits` holds at most `budget` runs (the empty window of width 0 does); `over` holds more.
  let fits = { widthMs: 0, count: 0 };
  let over = { widthMs, count };
  while (over.widthMs - fits.widthMs > 1) {
    const mid = Math.floor((fits.widthMs + over.widthMs) / 2);
    const n = await countWithin(mid);
    if (n > budget) {
      over = { widthMs: mid, count: n };
    } else {
      fits = { widthMs: mid, count: n };
      if (n >= enough) break;
    }
  }
  return fits.widthMs > 0 ? fits : over;
}
