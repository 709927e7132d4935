import { buildSrt, formatSrtTime, SRT_LINE_CHARS } from '../../src/media/subtitles';

describe('formatSrtTime', () => {
  it('formats seconds as HH:MM:SS,mmm', () => {
    expect(formatSrtTime(0)).toBe('00:00:00,000');
    expect(formatSrtTime(3723.456)).toBe('01:02:03,456');
    expect(formatSrtTime(59.9996)).toBe('00:01:00,000');
    expect(formatSrtTime(-1)).toBe('00:00:00,000');
  });
});

describe('buildSrt', () => {
  it('numbers cues from 1 and separates them with blank lines', () => {
    const srt = buildSrt([
      { text: 'Hello there.', startSec: 0, endSec: 1.5 },
      { text: 'Second cue.', startSec: 1.5, endSec: 3.25 },
    ]);
    expect(srt).toBe('1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n2\n00:00:01,500 --> 00:00:03,250\nSecond cue.\n');
  });

  it('wraps long text onto lines of at most 42 characters', () => {
    const text = 'Participants who slept at least seven hours remembered more word pairs the next morning than those who slept less.';
    const srt = buildSrt([{ text, startSec: 0, endSec: 5 }]);
    const lines = srt.trimEnd().split('\n').slice(2);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(SRT_LINE_CHARS);
    expect(lines.join(' ')).toBe(text);
  });

  it('skips empty cues without leaving gaps in the numbering', () => {
    const srt = buildSrt([
      { text: '  ', startSec: 0, endSec: 1 },
      { text: 'Kept', startSec: 1, endSec: 2 },
    ]);
    expect(srt.startsWith('1\n00:00:01,000 --> 00:00:02,000\nKept')).toBe(true);
  });
});
