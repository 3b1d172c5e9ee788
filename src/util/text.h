/* text.h — untrusted text: names the user gives and text read from a save.
 *
 * A name is valid UTF-8 without control characters: no C0 (U+0000..U+001F),
 * no DEL (U+007F), no C1 (U+0080..U+009F). Those would let a name like
 * "w\e]0;pwned\a" retitle or redraw the terminal it is printed on. The save
 * layer refuses such names (text_check_name); the command line escapes
 * whatever it prints from a save (text_escape), since an older save or one
 * edited by hand may hold them anyway. */
#ifndef MA_UTIL_TEXT_H
#define MA_UTIL_TEXT_H

#include <stddef.h>

/* 0 when s is valid UTF-8 without control characters; otherwise -1 with
 * why (if not NULL) saying what is wrong and at which byte. */
int text_check_name(const char *s, char *why, size_t why_size);

/* Copies s into buf (always NUL-terminated, cut to fit), with every control
 * character written as an escape: \xHH for C0 and DEL, \u00HH for C1, and
 * \xHH for each byte that is not valid UTF-8. Returns buf. */
char *text_escape(const char *s, char *buf, size_t size);

/* The English plural of a noun or noun phrase's last word ("wolf" -> "wolves", "giant spider" ->
 * "giant spiders", "cave bat" -> "cave bats", "box" -> "boxes"); n == 1 copies it as it is. */
char *text_plural(const char *noun, int n, char *buf, size_t size);

/* A data name as words: copies name into buf (cut to fit) with each '_' as a space
 * ("iron_pickaxe" -> "iron pickaxe"); NULL gives "". Returns buf. */
char *text_words(const char *name, char *buf, size_t size);

/* The way from a point to one dx east and dz south of it (north is -z), as one of the eight
 * winds in words ("north-east"), each 45 degrees around its own; NULL when dx = dz = 0. */
const char *text_compass(int dx, int dz);

/* 1 when s (may be NULL: 0) is one of the n strings in list. */
int text_in_list(const char *s, const char *const *list, size_t n);

/* A fixed buffer written piece by piece ({buf, size, 0} to start): what does not fit is cut,
 * and buf stays NUL-terminated. */
typedef struct TextBuf {
    char *buf;
    size_t size, len;
} TextBuf;
void text_add(TextBuf *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
