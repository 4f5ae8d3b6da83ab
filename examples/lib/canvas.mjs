/**
 * An RGB canvas (3 bytes a pixel, row-major) with the few drawing calls the examples need,
 * and a 5x7 bitmap font (uppercase letters, digits, a little punctuation) drawn at any
 * integer scale. Colors are [r, g, b] with components 0..255.
 */

// Each glyph: 7 rows of 5 columns, '#' on, '.' off.
const GLYPHS = {
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  'A': '.###. #...# #...# ##### #...# #...# #...#',
  'B': '####. #...# #...# ####. #...# #...# ####.',
  'C': '.###. #...# #.... #.... #.... #...# .###.',
  'D': '####. #...# #...# #...# #...# #...# ####.',
  'E': '##### #.... #.... ####. #.... #.... #####',
  'F': '##### #.... #.... ####. #.... #.... #....',
  'G': '.###. #...# #.... #.### #...# #...# .####',
  'H': '#...# #...# #...# ##### #...# #...# #...#',
  'I': '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  'J': '..### ...#. ...#. ...#. ...#. #..#. .##..',
  'K': '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  'L': '#.... #.... #.... #.... #.... #.... #####',
  'M': '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  'N': '#...# #...# ##..# #.#.# #..## #...# #...#',
  'O': '.###. #...# #...# #...# #...# #...# .###.',
  'P': '####. #...# #...# ####. #.... #.... #....',
  'Q': '.###. #...# #...# #...# #.#.# #..#. .##.#',
  'R': '####. #...# #...# ####. #.#.. #..#. #...#',
  'S': '.#### #.... #.... .###. ....# ....# ####.',
  'T': '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  'U': '#...# #...# #...# #...# #...# #...# .###.',
  'V': '#...# #...# #...# #...# #...# .#.#. ..#..',
  'W': '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  'X': '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  'Y': '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  'Z': '##### ....# ...#. ..#.. .#... #.... #####',
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  '%': '##... ##..# ...#. ..#.. .#... #..## ...##',
  '=': '..... ..... ##### ..... ##### ..... .....',
  '-': '..... ..... ..... ##### ..... ..... .....',
  '/': '..... ....# ...#. ..#.. .#... #.... .....',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character, in font pixels (glyph plus one column of space). */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1;

const BITMAPS = Object.fromEntries(Object.entries(GLYPHS).map(([ch, rows]) => {
  const bits = rows.split(' ');
  if (bits.length !== GLYPH_HEIGHT || bits.some((r) => r.length !== GLYPH_WIDTH)) throw new Error(`bad glyph '${ch}'`);
  return [ch, bits.map((r) => [...r].map((c) => c === '#'))];
}));

export class Canvas {
  constructor(width, height, background = [0, 0, 0]) {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x, y, [r, g, b]) {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const at = (y * this.width + x) * 3;
    this.pixels[at] = r; this.pixels[at + 1] = g; this.pixels[at + 2] = b;
  }

  fillRect(x, y, w, h, color) {
    for (let row = Math.max(y, 0); row < Math.min(y + h, this.height); row++) {
      for (let col = Math.max(x, 0); col < Math.min(x + w, this.width); col++) this.setPixel(col, row, color);
    }
  }

  /** A frame `thickness` pixels wide whose outer edge is the rectangle (x, y, w, h). */
  strokeRect(x, y, w, h, thickness, color) {
    this.fillRect(x, y, w, thickness, color);
    this.fillRect(x, y + h - thickness, w, thickness, color);
    this.fillRect(x, y, thickness, h, color);
    this.fillRect(x + w - thickness, y, thickness, h, color);
  }

  /** A grayscale image (values 0..1, row-major) with each pixel drawn as a scale x scale block. */
  drawGray(x, y, values, width, height, scale) {
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const v = Math.round(Math.min(Math.max(values[row * width + col], 0), 1) * 255);
        this.fillRect(x + col * scale, y + row * scale, scale, scale, [v, v, v]);
      }
    }
  }

  /** Text in the 5x7 font, top-left at (x, y); unknown characters draw as '?'. Returns the width. */
  drawText(x, y, text, scale, color) {
    const upper = String(text).toUpperCase();
    for (let i = 0; i < upper.length; i++) {
      const bitmap = BITMAPS[upper[i]] ?? BITMAPS['?'];
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (bitmap[row][col]) this.fillRect(x + (i * GLYPH_ADVANCE + col) * scale, y + row * scale, scale, scale, color);
        }
      }
    }
    return textWidth(upper, scale);
  }
}

/** Width in pixels of `text` drawn at `scale` (without the trailing space column). */
export function textWidth(text, scale) {
  return text.length === 0 ? 0 : (text.length * GLYPH_ADVANCE - 1) * scale;
}
