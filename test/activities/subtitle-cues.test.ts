import { sentences, subtitleCues } from '../../src/activities/subtitle-cues';

test('cues follow the narration sentence by sentence, timed by their words', () => {
  const cues = subtitleCues([{ narration: 'Bees dance. They point the way to food!', startSec: 10, speechSec: 8 }]);
  expect(cues).toEqual([
    { text: 'Bees dance.', startSec: 10, endSec: 12 },
    { text: 'They point the way to food!', startSec: 12, endSec: 18 },
  ]);
});

test('a long sentence is cut into even parts, never a short tail', () => {
  const words = Array.from({ length: 14 }, (_, i) => `w${i}`);
  const cues = subtitleCues([{ narration: `${words.join(' ')}.`, startSec: 0, speechSec: 14 }]);
  expect(cues.map((c) => c.text.split(' ').length)).toEqual([7, 7]);
  expect(cues[1]).toMatchObject({ startSec: 7, endSec: 14 });
});

test('sentences end at . ! or ? followed by a space, closing quotes included', () => {
  expect(sentences('He said "stop." Then he left? Yes!  Done')).toEqual(['He said "stop."', 'Then he left?', 'Yes!', 'Done']);
  expect(sentences('Version 2.5 is out. Good')).toEqual(['Version 2.5 is out.', 'Good']);
});
