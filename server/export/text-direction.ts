/**
 * The direction a piece of user text reads in, found as HTML's `dir="auto"`
 * finds it (the live board's notes use `dir="auto"`): the first strong
 * character decides; text with none (digits, punctuation, emoji only) reads
 * left to right. Exports that lay text out themselves (board.svg and the PNG
 * drawn from it) need it, because SVG has no `dir="auto"` (issue 20 item 11).
 */

/** Scripts written right to left (Unicode's Bidi_Class R and AL letters). */
const RTL_LETTER =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Yezidi}\p{Script=Old_Hungarian}\p{Script=Imperial_Aramaic}\p{Script=Phoenician}\p{Script=Kharoshthi}\p{Script=Avestan}\p{Script=Old_South_Arabian}\p{Script=Mende_Kikakui}]/u;
/** Characters that are strong in either direction: letters (and marks of letters are not strong). */
const LETTER = /\p{L}/u;

export type TextDirection = 'ltr' | 'rtl';

/** `rtl` when the first letter of `text` belongs to a right-to-left script, else `ltr`. */
export function textDirection(text: string): TextDirection {
  for (const ch of text) {
    if (!LETTER.test(ch)) continue;
    return RTL_LETTER.test(ch) ? 'rtl' : 'ltr';
  }
  return 'ltr';
}
