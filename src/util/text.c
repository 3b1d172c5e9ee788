/* text.c — see text.h. */
#include "util/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes
 * there are not one (overlong forms, surrogates and values above U+10FFFF
 * included); *cp receives the code point. */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static int is_control(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

int text_check_name(const char *s, char *why, size_t why_size)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t at = 0; p[at];) {
        uint32_t cp;
        int n = utf8_next(p + at, &cp);
        if (n == 0) {
            if (why)
                snprintf(why, why_size, "byte %zu (0x%02x) is not UTF-8 text", at + 1, p[at]);
            return -1;
        }
        if (is_control(cp)) {
            if (why)
                snprintf(why, why_size, "it holds a control character (U+%04X) at byte %zu; names may not hold "
                         "control characters", (unsigned)cp, at + 1);
            return -1;
        }
        at += (size_t)n;
    }
    return 0;
}

char *text_escape(const char *s, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t out = 0;
    while (*p) {
        uint32_t cp;
        int n = utf8_next(p, &cp);
        char esc[8];
        const char *piece = (const char *)p;
        size_t len = (size_t)n;
        if (n == 0) {
            snprintf(esc, sizeof esc, "\\x%02x", *p);
            piece = esc, len = 4, n = 1;
        } else if (is_control(cp)) {
            snprintf(esc, sizeof esc, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
            piece = esc, len = strlen(esc);
        }
        if (out + len >= size)
            break;
        memcpy(buf + out, piece, len);
        out += len;
        p += n;
    }
    buf[out] = '\0';
    return buf;
}

char *text_plural(const char *noun, int n, char *buf, size_t size)
{
    size_t len = strlen(noun);
    if (n == 1 || len == 0) {
        snprintf(buf, size, "%s", noun);
        return buf;
    }
    const char *end = noun + len;
    int base = (int)len;
    const char *suffix = "s";
    if (len >= 2 && end[-1] == 'f' && end[-2] != 'f') {
        base = (int)len - 1, suffix = "ves"; /* wolf, dwarf */
    } else if (len >= 2 && end[-1] == 'y' && !strchr("aeiou", end[-2])) {
        base = (int)len - 1, suffix = "ies"; /* pony */
    } else if (end[-1] == 's' || end[-1] == 'x' || end[-1] == 'z' ||
               (len >= 2 && (end[-1] == 'h') && (end[-2] == 'c' || end[-2] == 's'))) {
        suffix = "es"; /* boss, box, torch */
    }
    snprintf(buf, size, "%.*s%s", base, noun, suffix);
    return buf;
}

const char *text_compass(int dx, int dz)
{
    static const char *const names[] = {"east", "south-east", "south", "south-west", "west", "north-west", "north",
                                        "north-east"};
    if (dx == 0 && dz == 0)
        return NULL;
    double a = atan2((double)dz, (double)dx); /* z grows south */
    int i = (int)lround(a / (M_PI / 4));
    return names[(i + 8) % 8];
}

char *text_words(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s", name ? name : "");
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = ' ';
    return buf;
}

int text_in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

void text_add(TextBuf *tb, const char *fmt, ...)
{
    if (tb->len + 1 >= tb->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tb->buf + tb->len, tb->size - tb->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        tb->len += (size_t)n < tb->size - tb->len ? (size_t)n : tb->size - tb->len - 1;
}
