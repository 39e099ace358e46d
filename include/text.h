/* text.h - UTF-8 checks, terminal-safe printing and word wrapping. */
#ifndef SMP_TEXT_H
#define SMP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decodes one code point at s (at most n bytes): returns its length and
 * sets *cp, or 0 for an invalid sequence or one cut by n (no overlongs,
 * no surrogates, nothing past U+10FFFF). */
size_t text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool text_is_utf8(const char *s, size_t len);

/* Number of code points in a valid UTF-8 string. */
size_t text_codepoints(const char *s);

/* True when s holds a C0 control, DEL or a C1 control (U+0080..U+009F);
 * a newline or tab is allowed when allow_layout is set. */
bool text_has_control(const char *s, bool allow_layout);

/* Copy of s that is safe to write to a terminal: control characters,
 * bidirectional overrides and invalid bytes become visible escapes such as
 * \x1b or \u202e.  Newlines are kept when keep_newlines is set, else shown
 * as \n.  Returns allocated memory the caller frees; NULL on allocation
 * failure. */
char *text_safe(const char *s, bool keep_newlines);

/* Copy of s for a file that people may read on a terminal (a CSV cell):
 * as text_safe() makes it, but newlines, tabs and bidirectional controls
 * are kept, so a text that holds no control character (C0 but newline and
 * tab, DEL, C1) and no invalid byte comes out unchanged.  Allocated;
 * NULL when out of memory. */
char *text_without_controls(const char *s);

/* JSON text s[0..len) (whole) written to f with each invalid UTF-8 byte
 * as \ufffd, so the output is valid UTF-8 JSON whatever a string held;
 * valid JSON text goes out unchanged.  Returns 0, or -1 on a write
 * error. */
int text_json_write(FILE *f, const char *s, size_t len);

/* JSON text s[0..len) written to f for a terminal: what text_safe()
 * would escape and JSON leaves raw (DEL, C1 controls, bidirectional
 * controls) as \u escapes, each invalid byte as \ufffd; the JSON stays
 * valid (outside its strings JSON text is ASCII), and C0 controls are
 * already escaped there.  Returns the bytes used: unless final, a UTF-8
 * sequence cut at the end is left for the next call. */
size_t text_json_terminal(FILE *f, const char *s, size_t len, bool final);

/* A part of a stored UTC time stamp for display, in buf (size bytes),
 * never read past the stamp's end: stamp[from, from + len) when the stamp
 * is that long and the part is made only of digits, '-', ':', 'T' and
 * 'Z'.  Otherwise (a stamp changed by another program: short, garbled,
 * holding escapes) the part from 0 is the whole stamp made safe as
 * text_safe() makes it, cut to fit buf at a code point, and a part from
 * further on is empty, so the value is shown once.  NULL counts as "".
 * Returns buf. */
const char *text_stamp_part(char *buf, size_t size, const char *stamp, size_t from, size_t len);

/* Writes text_safe(s, false) to f.  Returns 0, or -1 on error. */
int text_print_safe(FILE *f, const char *s);

/* Writes s (already safe) to f, word-wrapped to width columns.  The caller
 * has already written the first line's prefix of indent columns; later
 * lines are indented by indent spaces.  Newlines in s start a new line.
 * No newline is written at the end.  Returns 0, or -1 on error. */
int text_wrap(FILE *f, const char *s, int width, int indent);

/* Columns of the terminal on stdout, else $COLUMNS, else 80 (clamped to
 * 40..200). */
int text_terminal_width(void);

/* Columns s takes on a terminal: none for combining marks, two for wide
 * East Asian characters and emoji, one for anything else. */
int text_columns(const char *s);

/* Copy of s (already safe) cut to at most cols columns (at least 1), at a
 * code point, ending in "…" when cut.  Allocated; NULL when out of memory. */
char *text_fit(const char *s, int cols);

/* a, sep and b in one string (NULL counts as empty).  Allocated; NULL
 * when out of memory. */
char *text_join(const char *a, const char *sep, const char *b);

/* Removes leading and trailing tabs and spaces of any width (Unicode's
 * space separators: no-break spaces, U+2000 to U+200A, U+3000...) in
 * place; returns s. */
char *text_trim(char *s);

/* True when s is empty or holds nothing visible: only white space
 * (Unicode's White_Space: spaces of any width, tabs, line breaks) and
 * invisible characters (Default_Ignorable_Code_Point: U+200B, U+FEFF...).
 * Such a text counts as empty wherever a text is asked for. */
bool text_is_blank(const char *s);

#endif
