/* chunk_palette.c — the "rle" member of block_data's palette form (see
 * chunk_palette.h and docs/chunk-format.md): run tokens over palette
 * indices in y-major order, as LEB128 varints of ((n-1) << bits) | code, in
 * base64. code is a palette index (n copies of that block), or P (n copies
 * of the block one layer below) or P + 1 (of the block one row north).
 * Terrain is mostly columns, so "same as below" runs are long; the encoder
 * picks the cheapest token sequence with a small dynamic programme. This is
 * what every chunk was stored as before the model form, and what a uniform
 * chunk's or an unknown block's chunk still is. */
#include "world/chunk_palette.h"

#include <string.h>

#define LAYER (CHUNK_SIZE * CHUNK_SIZE)

/* ------------------------------------------------------------ base64 */

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Writes base64 of in (n bytes, no padding) to out; returns its length. */
static size_t b64_encode(const uint8_t *in, size_t n, char *out)
{
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *o++ = b64_chars[v >> 18];
        *o++ = b64_chars[(v >> 12) & 63];
        *o++ = b64_chars[(v >> 6) & 63];
        *o++ = b64_chars[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        *o++ = b64_chars[v >> 18];
        *o++ = b64_chars[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        *o++ = b64_chars[v >> 18];
        *o++ = b64_chars[(v >> 12) & 63];
        *o++ = b64_chars[(v >> 6) & 63];
    }
    return (size_t)(o - out);
}

/* 0..63 for a base64 character, 64 for anything else. */
static const uint8_t b64_values[256] = {
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 62, 64, 64, 64, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 64, 64, 64, 64, 64, 64,
    64, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 64, 64, 64, 64, 64,
    64, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
};

/* Decodes base64 (padding optional) into out (capacity cap). Returns the
 * byte count, or -1 when the text is not base64 or does not fit. */
static long b64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
    const uint8_t *t = b64_values;
    while (n > 0 && in[n - 1] == '=' && n % 4 != 1)
        n--;
    if (n % 4 == 1)
        return -1;
    size_t need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    if (need > cap)
        return -1;
    size_t o = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t a = t[(uint8_t)in[i]], b = t[(uint8_t)in[i + 1]], c = t[(uint8_t)in[i + 2]],
                 d = t[(uint8_t)in[i + 3]];
        if ((a | b | c | d) & 64)
            return -1;
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    size_t rest = n - i;
    if (rest) {
        uint32_t a = t[(uint8_t)in[i]], b = t[(uint8_t)in[i + 1]];
        uint32_t c = rest == 3 ? t[(uint8_t)in[i + 2]] : 0;
        if ((a | b | c) & 64)
            return -1;
        uint32_t v = a << 18 | b << 12 | c << 6;
        out[o++] = (uint8_t)(v >> 16);
        if (rest == 3)
            out[o++] = (uint8_t)(v >> 8);
    }
    return (long)o;
}

/* ------------------------------------------------------------ run tokens */

static int code_bits(int palette_size)
{
    int bits = 1;
    while ((1 << bits) <= palette_size + 1)
        bits++;
    return bits;
}

static int varint_len(uint32_t v) { return v < (1u << 7) ? 1 : v < (1u << 14) ? 2 : v < (1u << 21) ? 3 : 4; }

static size_t varint_put(uint8_t *o, uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        o[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    o[n++] = (uint8_t)v;
    return n;
}

/* Encodes 4096 palette indices as tokens into out (at least 3 * 4096 bytes).
 * The cost of the remaining stream is minimised from the end, choosing at
 * every position between the longest fill run and the longest copy-below
 * run. Returns the byte count. */
static size_t runs_encode(const uint8_t *idx, int palette_size, uint8_t *out)
{
    int bits = code_bits(palette_size);
    uint16_t fill[CHUNK_VOLUME + 1], below[CHUNK_VOLUME + 1], north[CHUNK_VOLUME + 1];
    uint32_t cost[CHUNK_VOLUME + 1];
    uint8_t use_below[CHUNK_VOLUME];
    fill[CHUNK_VOLUME] = below[CHUNK_VOLUME] = north[CHUNK_VOLUME] = 0;
    cost[CHUNK_VOLUME] = 0;
    for (int i = CHUNK_VOLUME - 1; i >= 0; i--) {
        fill[i] = (uint16_t)(i + 1 < CHUNK_VOLUME && idx[i] == idx[i + 1] ? fill[i + 1] + 1 : 1);
        below[i] = (uint16_t)(i >= LAYER && idx[i] == idx[i - LAYER] ? below[i + 1] + 1 : 0);
        north[i] = (uint16_t)(i >= CHUNK_SIZE && idx[i] == idx[i - CHUNK_SIZE] ? north[i + 1] + 1 : 0);
        uint32_t f = (uint32_t)varint_len(((uint32_t)(fill[i] - 1) << bits) | idx[i]) + cost[i + fill[i]];
        use_below[i] = 0;
        cost[i] = f;
        if (below[i]) {
            uint32_t b = (uint32_t)varint_len(((uint32_t)(below[i] - 1) << bits) | (uint32_t)palette_size) +
                         cost[i + below[i]];
            if (b <= cost[i]) {
                cost[i] = b;
                use_below[i] = 1;
            }
        }
        if (north[i]) {
            uint32_t b = (uint32_t)varint_len(((uint32_t)(north[i] - 1) << bits) | (uint32_t)(palette_size + 1)) +
                         cost[i + north[i]];
            if (b < cost[i]) {
                cost[i] = b;
                use_below[i] = 2;
            }
        }
    }
    size_t n = 0;
    for (int i = 0; i < CHUNK_VOLUME;) {
        if (use_below[i] == 2) {
            n += varint_put(out + n, ((uint32_t)(north[i] - 1) << bits) | (uint32_t)(palette_size + 1));
            i += north[i];
        } else if (use_below[i]) {
            n += varint_put(out + n, ((uint32_t)(below[i] - 1) << bits) | (uint32_t)palette_size);
            i += below[i];
        } else {
            n += varint_put(out + n, ((uint32_t)(fill[i] - 1) << bits) | idx[i]);
            i += fill[i];
        }
    }
    return n;
}

/* Decodes tokens into 4096 block ids through the palette map. Returns NULL
 * on success or the reason it failed. */
static const char *runs_decode(const uint8_t *in, size_t n, const BlockId *map, int palette_size, uint8_t *blocks)
{
    int bits = code_bits(palette_size);
    uint32_t code_mask = (1u << bits) - 1;
    size_t p = 0;
    uint32_t i = 0;
    while (p < n) {
        uint32_t v = 0;
        int shift = 0;
        for (;;) {
            if (p >= n)
                return "\"rle\" ends inside a number";
            uint8_t byte = in[p++];
            v |= (uint32_t)(byte & 0x7F) << shift;
            if (!(byte & 0x80))
                break;
            shift += 7;
            if (shift > 21)
                return "\"rle\" holds a number too large";
        }
        uint32_t code = v & code_mask;
        uint32_t len = (v >> bits) + 1;
        if (len > CHUNK_VOLUME - i)
            return "\"rle\" runs past 4096 blocks";
        if (code < (uint32_t)palette_size) {
            memset(blocks + i, map[code], len);
            i += len;
        } else if (code == (uint32_t)palette_size) {
            if (i < LAYER)
                return "\"rle\" copies from below the bottom layer";
            while (len > 0) {
                uint32_t k = len < LAYER ? len : LAYER;
                memcpy(blocks + i, blocks + i - LAYER, k);
                i += k;
                len -= k;
            }
        } else if (code == (uint32_t)palette_size + 1) {
            if (i < CHUNK_SIZE)
                return "\"rle\" copies from before the first row";
            while (len > 0) {
                uint32_t k = len < CHUNK_SIZE ? len : CHUNK_SIZE;
                memcpy(blocks + i, blocks + i - CHUNK_SIZE, k);
                i += k;
                len -= k;
            }
        } else {
            return "\"rle\" uses an index outside the palette";
        }
    }
    if (i != CHUNK_VOLUME)
        return "\"rle\" holds fewer than 4096 blocks";
    return NULL;
}

size_t chunk_palette_rle_encode(const uint8_t *idx, int palette_size, char *out)
{
    uint8_t tokens[3 * CHUNK_VOLUME];
    size_t n = runs_encode(idx, palette_size, tokens);
    return b64_encode(tokens, n, out);
}

const char *chunk_palette_rle_decode(const char *b64, size_t n, const BlockId *map, int palette_size, uint8_t *blocks)
{
    uint8_t tokens[3 * CHUNK_VOLUME];
    long got = b64_decode(b64, n, tokens, sizeof tokens);
    if (got < 0)
        return "\"rle\" is not base64 of at most 12288 bytes";
    return runs_decode(tokens, (size_t)got, map, palette_size, blocks);
}
