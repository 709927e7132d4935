import { escapeFilterValue } from '../../src/media/filter-escape';

describe('escapeFilterValue', () => {
  it('leaves plain paths alone', () => {
    expect(escapeFilterValue('/usr/share/fonts/a-b_c.ttf')).toBe('/usr/share/fonts/a-b_c.ttf');
  });

  it('escapes option and graph separators twice over', () => {
    expect(escapeFilterValue("C:\\it's,[x];")).toBe("C\\\\:\\\\\\\\it\\\\\\'s\\,\\[x\\]\\;");
  });
});
