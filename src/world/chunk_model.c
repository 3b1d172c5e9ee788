/* chunk_model.c — the cell coder of block_data's "c1" form (see
 * chunk_model.h and docs/chunk-format.md).
 *
 * One walk over the cells defines the symbols; the encoder, the decoder and
 * the trainer all follow it:
 *   - context of cell i: which of below (B), north (N), west (W) exist, which
 *     of them are equal (p, 6 bits), and the candidates: the distinct values
 *     among B, N, W in that order; c0 is the first (NONE when there is none);
 *   - an easy cell (at least two neighbours, all equal) is not coded alone:
 *     a run length R says that the next R easy cells equal c0 and the one
 *     after does not (that one is a literal); R is read at the first easy
 *     cell after the previous run ended;
 *   - any other cell codes a symbol in context (p, c0): 0..2 = copy candidate
 *     k, 3 = a literal, coded in context c0.
 * Within a row, easy matching cells are all one value (each copies its west
 * neighbour), so the coder jumps over them with one comparison of the row
 * below and the row north.
 *
 * "c2" codes the same walk over the chunk with its veins (ores, granite)
 * replaced by stone, then the veins, each grown breadth first from its first
 * cell (the veins section); one rANS stream holds both.
 *
 * The range coder is rANS with 12-bit frequencies and radix 92: the state
 * lives in [L, 92 L) and moves one base-92 digit at a time, each digit one
 * printable character. The encoder runs backwards over the symbols; the text
 * starts with the final state (5 digits), and a valid text ends with the
 * state back at L, which catches most damage. */
#include "world/chunk_model.h"
#include "world/chunk_model_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "util/data.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif



/* Thread-local buffers addressed directly (the library is built as
 * position-independent code, where each access to a thread-local would
 * otherwise be a call to the runtime). */
#if defined(__GNUC__)
#define TLS_LOCAL __attribute__((tls_model("initial-exec")))
#else
#define TLS_LOCAL
#endif



/* x / f for x < 2^32 and 1 <= f <= SCALE without a division instruction:
 * the high half of x * ceil(2^64 / f) (exact: the error is below 2^-32 and
 * x / f is never within 1 / f of the next whole number). */
static uint64_t g_recip[SCALE + 1];

static inline uint32_t div_freq(uint32_t x, uint32_t f)
{
    if (f == 1)
        return x;
    __extension__ typedef unsigned __int128 u128;
    return (uint32_t)(((u128)x * g_recip[f]) >> 64);
}

/* ------------------------------------------------------------ the walk */

/* An event (one coded symbol) in 32 bits: kind, context, symbol. */
enum { EV_SYM, EV_LIT, EV_RUN, EV_EXTRA };
#define EV(kind, ctx, sym) ((uint32_t)(kind) << 30 | (uint32_t)(ctx) << 15 | (uint32_t)(sym))
#define EV_KIND(e) ((e) >> 30)
#define EV_CTX(e) ((e) >> 15 & 0x7FFF)
#define EV_SYMBOL(e) ((e)&0x7FFF)

/* What a context pattern p says, in one word: for each candidate k (bits
 * 8k..8k+7) the shift that picks its value out of the word of neighbour
 * values (0 below, 8 north, 16 west, 24 the NONE value when there is no
 * such candidate); then the number of candidates and whether the cell is
 * easy. Built once. */
#define PAT_NCAND(t) ((t) >> 24 & 3)
#define PAT_EASY (1u << 26)
static uint32_t g_patterns[CM_PATTERNS];

static void patterns_init(void)
{
    for (int p = 0; p < CM_PATTERNS; p++) {
        int hb = p & 1, hn = p >> 1 & 1, hw = p >> 2 & 1, bn = p >> 3 & 1, bw = p >> 4 & 1, nw = p >> 5 & 1;
        uint32_t shift[3] = {24, 24, 24};
        int k = 0;
        if (hb)
            shift[k++] = 0;
        if (hn && !bn)
            shift[k++] = 8;
        if (hw && !bw && !nw)
            shift[k++] = 16;
        g_patterns[p] = shift[0] | shift[1] << 8 | shift[2] << 16 | (uint32_t)k << 24 |
                        (k == 1 && hb + hn + hw >= 2 ? PAT_EASY : 0);
    }
}

/* Values standing for a missing neighbour: distinct from each other and
 * from every id, so that equality tests need no existence tests. */
enum { MISSING_B = 0xFD, MISSING_N = 0xFE, MISSING_W = 0xFF };
static const uint8_t missing_below[16] = {MISSING_B, MISSING_B, MISSING_B, MISSING_B, MISSING_B, MISSING_B,
                                          MISSING_B, MISSING_B, MISSING_B, MISSING_B, MISSING_B, MISSING_B,
                                          MISSING_B, MISSING_B, MISSING_B, MISSING_B};
static const uint8_t missing_north[16] = {MISSING_N, MISSING_N, MISSING_N, MISSING_N, MISSING_N, MISSING_N,
                                          MISSING_N, MISSING_N, MISSING_N, MISSING_N, MISSING_N, MISSING_N,
                                          MISSING_N, MISSING_N, MISSING_N, MISSING_N};

/* The context pattern of a cell with neighbour values b, n, w (the
 * MISSING_* values where there is none); ex: bit 0 below exists, bit 1
 * north, bit 2 west. */
static inline int pattern_of(unsigned b, unsigned n, unsigned w, int ex)
{
    return ex | (b == n) << 3 | (b == w) << 4 | (n == w) << 5;
}

static inline unsigned candidate(uint32_t t, uint32_t vals, int k) { return vals >> (t >> (8 * k) & 0xFF) & 0xFF; }

/* Cells from x on (x included, known to qualify) whose bits are set. */
static inline int stretch_len(unsigned mask, int x)
{
    unsigned t = (~mask & 0xFFFFu) >> x;
    return t ? __builtin_ctz(t) : 16 - x;
}

/* What the encoder knows of a row of 16 cells at once, a bit per cell:
 * which neighbours are equal (below = north, below = west, north = west),
 * which the cell itself equals (below, north, west), whether the block two
 * below equals the one below; then which cells are easy and which easy
 * cells match their first candidate (see the top of this file). rb, rn:
 * the rows below and north (missing_* rows outside the chunk), rb2: two
 * below or NULL, rx: the row; ex: which of below (1) and north (2) exist. */
typedef struct RowBits {
    unsigned bn, bw, nw, xb, xn, xw, twice, easy, match;
    uint8_t pattern[16]; /* each cell's pattern, and 64 when two below equals below */
    uint8_t equals[16];  /* bit 0: the cell equals below, 1: north, 2: west */
} RowBits;

static inline void row_bits(const uint8_t *rb, const uint8_t *rn, const uint8_t *rb2, const uint8_t *rx, int ex,
                            RowBits *r)
{
#if defined(__SSE2__)
    __m128i b = _mm_loadu_si128((const __m128i *)rb), n = _mm_loadu_si128((const __m128i *)rn);
    __m128i x = _mm_loadu_si128((const __m128i *)rx);
    __m128i w = _mm_or_si128(_mm_slli_si128(x, 1), _mm_cvtsi32_si128(MISSING_W)); /* w[j] = x[j - 1] */
    r->bn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, n));
    r->bw = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, w));
    r->nw = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(n, w));
    r->xb = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, b));
    r->xn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, n));
    r->xw = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, w));
    __m128i twice = rb2 ? _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)rb2), b) : _mm_setzero_si128();
    r->twice = (unsigned)_mm_movemask_epi8(twice);
    /* The same bits as bytes, a cell each: the pattern and the equalities. */
    __m128i has_w = _mm_set_epi8(4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0);
    __m128i pat = _mm_or_si128(_mm_set1_epi8((char)ex), has_w);
    pat = _mm_or_si128(pat, _mm_and_si128(_mm_cmpeq_epi8(b, n), _mm_set1_epi8(8)));
    pat = _mm_or_si128(pat, _mm_and_si128(_mm_cmpeq_epi8(b, w), _mm_set1_epi8(16)));
    pat = _mm_or_si128(pat, _mm_and_si128(_mm_cmpeq_epi8(n, w), _mm_set1_epi8(32)));
    pat = _mm_or_si128(pat, _mm_and_si128(twice, _mm_set1_epi8(64)));
    _mm_storeu_si128((__m128i *)r->pattern, pat);
    __m128i eq = _mm_and_si128(_mm_cmpeq_epi8(x, b), _mm_set1_epi8(1));
    eq = _mm_or_si128(eq, _mm_and_si128(_mm_cmpeq_epi8(x, n), _mm_set1_epi8(2)));
    eq = _mm_or_si128(eq, _mm_and_si128(_mm_cmpeq_epi8(x, w), _mm_set1_epi8(4)));
    _mm_storeu_si128((__m128i *)r->equals, eq);
#else
    memset(r, 0, sizeof *r);
    for (int j = 0; j < 16; j++) {
        unsigned w = j ? rx[j - 1] : MISSING_W;
        r->bn |= (unsigned)(rb[j] == rn[j]) << j;
        r->bw |= (unsigned)(rb[j] == w) << j;
        r->nw |= (unsigned)(rn[j] == w) << j;
        r->xb |= (unsigned)(rx[j] == rb[j]) << j;
        r->xn |= (unsigned)(rx[j] == rn[j]) << j;
        r->xw |= (unsigned)(rx[j] == w) << j;
        r->twice |= (unsigned)(rb2 && rb2[j] == rb[j]) << j;
    }
    for (int j = 0; j < 16; j++) {
        r->pattern[j] = (uint8_t)(ex | (j > 0) << 2 | (r->bn >> j & 1) << 3 | (r->bw >> j & 1) << 4 |
                                  (r->nw >> j & 1) << 5 | (r->twice >> j & 1) << 6);
        r->equals[j] = (uint8_t)((r->xb >> j & 1) | (r->xn >> j & 1) << 1 | (r->xw >> j & 1) << 2);
    }
#endif
    /* Easy: at least two neighbours, all equal (missing ones never are). */
    switch (ex) {
    case 3: r->easy = r->bn & (r->bw | 1u); r->match = r->xb; break; /* x = 0 has below and north only */
    case 1: r->easy = r->bw & ~1u; r->match = r->xb; break;
    case 2: r->easy = r->nw & ~1u; r->match = r->xn; break;
    default: r->easy = 0; r->match = 0; break;
    }
}

/* For a pattern and which of below, north, west the cell equals (bits 0-2),
 * the symbol: the first candidate it equals, else 3. Built once. */
static uint8_t g_symbol_of[CM_PATTERNS][8];

static void symbols_init(void)
{
    for (int p = 0; p < CM_PATTERNS; p++)
        for (int m = 0; m < 8; m++) {
            uint32_t t = g_patterns[p];
            int s = 3;
            for (int k = (int)PAT_NCAND(t) - 1; k >= 0; k--) {
                unsigned src = t >> (8 * k) & 0xFF; /* 0 below, 8 north, 16 west */
                if (m >> (src / 8) & 1)
                    s = k;
            }
            g_symbol_of[p][m] = (uint8_t)s;
        }
}

/* What the walk writes for each symbol: for training, the event (kind,
 * context, symbol); for coding, the symbol's range in its table, cum | freq
 * << 16, looked up as it goes, so that the coder reads ranges alone. */
static inline uint32_t range_of(const uint16_t *t, unsigned s)
{
    return t[s] | (uint32_t)(t[s + 1] - t[s]) << 16;
}
#define EMIT(m, table, kind, ctx, s) ((m) ? range_of((m)->table[ctx], (s)) : EV(kind, ctx, s))

/* A run length R as its two symbols: the bucket k = floor(log2(R + 1)) and
 * the k bits of R + 1 - 2^k. */
static inline void put_run(const ChunkModel *m, uint32_t *ev, int run, unsigned ctx)
{
    unsigned r1 = (unsigned)run + 1u;
    int k = 31 - __builtin_clz(r1);
    ev[0] = EMIT(m, run_cum, EV_RUN, ctx, (unsigned)k);
    ev[1] = m ? ((r1 - (1u << k)) << (SCALE_BITS - k)) | (SCALE >> k) << 16 : EV(EV_EXTRA, k, r1 - (1u << k));
}

/* Whether a row with a row below and a row north is all one block, the
 * same as both: every cell easy and matching (the usual row of a chunk). */
static inline int row_repeats(const uint8_t *rb, const uint8_t *rn, const uint8_t *rx)
{
#if defined(__SSE2__)
    __m128i b = _mm_loadu_si128((const __m128i *)rb), n = _mm_loadu_si128((const __m128i *)rn);
    __m128i x = _mm_loadu_si128((const __m128i *)rx), first = _mm_set1_epi8((char)rx[0]);
    __m128i same = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(x, b), _mm_cmpeq_epi8(b, n)), _mm_cmpeq_epi8(x, first));
    return _mm_movemask_epi8(same) == 0xFFFF;
#else
    for (int j = 0; j < 16; j++)
        if (rx[j] != rb[j] || rb[j] != rn[j] || rx[j] != rx[0])
            return 0;
    return 1;
#endif
}

/* The symbols of 4096 cells, in decoding order; returns how many (at most
 * 3 * 4096). With a model, each is written as its range (range_of), else
 * as its event. The ids that occur go to *used. Runs of easy matching
 * cells are counted from the row masks a row at a time; only the other
 * cells (about a sixth of a chunk of terrain) are looked at one by one. */
static inline __attribute__((always_inline)) int walk(const uint8_t *X, int band, const ChunkModel *m, uint32_t *ev,
                                                     uint64_t *used)
{
    const unsigned lit_run = (unsigned)band * 2 * CM_C0, lit_sym = lit_run + CM_C0, run_base = (unsigned)band * CM_C0;
    int n = 0, pending = -1, run = 0;
    unsigned run_c0 = 0; /* the first candidate of the cell that opened the run */
    uint64_t seen = 0;
    for (int y = 0; y < 16; y++)
        for (int z = 0; z < 16; z++) {
            int row = y << 8 | z << 4;
            const uint8_t *rb = y ? X + row - 256 : missing_below, *rn = z ? X + row - 16 : missing_north;
            const uint8_t *rx = X + row;
            int ex = (y > 0) | (z > 0) << 1;
            if (ex == 3 && row_repeats(rb, rn, rx)) {
                if (pending < 0) {
                    pending = n;
                    n += 2;
                    run = 0;
                    run_c0 = rb[0];
                }
                run += 16;
                continue;
            }
            RowBits rbits;
            row_bits(rb, rn, y >= 2 ? X + row - 512 : NULL, rx, ex, &rbits);
            unsigned easy = rbits.easy;
            unsigned other = ~(easy & rbits.match) & 0xFFFFu; /* cells looked at one by one */
            int x = 0;
            while (x < 16) {
                unsigned t = other >> x;
                int j = t ? x + __builtin_ctz(t) : 16;
                if (j > x) { /* easy matching cells x .. j - 1 */
                    if (pending < 0) {
                        pending = n;
                        n += 2; /* the run and its extra bits, filled in when it ends */
                        run = 0;
                        run_c0 = ex & 1 ? rb[x] : rn[x]; /* an easy cell's first candidate */
                    }
                    run += j - x;
                }
                if (j == 16)
                    break;
                int sp = rbits.pattern[j], p = sp & (CM_PATTERNS - 1);
                /* The first candidate: below where there is a row below, else north, else west. */
                unsigned c0 = ex & 1 ? rb[j] : ex & 2 ? rn[j] : j ? rx[j - 1] : CM_NONE;
                if (easy >> j & 1) { /* an easy cell that differs: ends the run */
                    unsigned v = rx[j];
                    if (pending < 0) {
                        pending = n;
                        n += 2;
                        run = 0;
                        run_c0 = c0;
                    }
                    put_run(m, ev + pending, run, run_base + run_c0);
                    pending = -1;
                    ev[n++] = EMIT(m, lit_cum, EV_LIT, lit_run + c0, v); /* a literal that ends a run */
                    seen |= 1ull << v;
                } else {
                    unsigned s = g_symbol_of[p][rbits.equals[j]];
                    ev[n++] = EMIT(m, sym_cum, EV_SYM, (unsigned)sp * CM_C0 + c0, s);
                    if (s == 3) {
                        unsigned v = rx[j];
                        ev[n++] = EMIT(m, lit_cum, EV_LIT, lit_sym + c0, v); /* a literal after symbol 3 */
                        seen |= 1ull << v;
                    }
                }
                x = j + 1;
            }
        }
    if (pending >= 0)
        put_run(m, ev + pending, run, run_base + run_c0);
    *used = seen;
    return n;
}

/* The walk for training (events) and for coding (ranges). */
static int walk_events(const uint8_t *X, int band, uint32_t *ev, uint64_t *used)
{
    return walk(X, band, NULL, ev, used);
}
static int walk_ranges(const uint8_t *X, int band, const ChunkModel *m, uint32_t *ev, uint64_t *used)
{
    return walk(X, band, m, ev, used);
}

/* ------------------------------------------------------------ veins ("c2") */

/* The encoder's split of a chunk into cells and veins: B receives the cells
 * with each vein cell replaced by stone (so a vein cell is one where B and
 * X differ), list the vein cells in index order, *vused the ids of veins.
 * Which cells are veins is the encoder's choice (any split decodes): every
 * ore and granite cell (dirt and gravel veins, also laid by the generator,
 * were tried: they cost more as veins than as cells). Rows are looked at 16
 * cells at a time. Returns how many. */
static int veins_split(const ChunkModel *m, const uint8_t *X, uint8_t *restrict B, uint16_t *restrict list,
                       uint64_t *vused)
{
    *vused = 0;
    if (m->stone < 0 || m->vein_nids == 0) {
        memcpy(B, X, VOLUME);
        return 0;
    }
    /* Locals, not the model's fields or *vused: the stores to B and list
     * are of char-like types, which could alias them, and would make the
     * compiler load and store them again for every vein cell. */
    const uint8_t stone = (uint8_t)m->stone;
    uint64_t seen = 0;
    int n = 0;
#if defined(__SSE2__)
    const int nids = m->vein_nids;
    __m128i ids[sizeof m->vein_ids];
    for (int k = 0; k < nids; k++)
        ids[k] = _mm_set1_epi8((char)m->vein_ids[k]);
    const __m128i stones = _mm_set1_epi8((char)stone);
#endif
    /* Each row is copied to B as it is looked at, its vein cells made stone. */
    for (int r = 0; r < 256; r++) {
        const uint8_t *row = X + r * 16;
        unsigned take = 0;
#if defined(__SSE2__)
        __m128i v = _mm_loadu_si128((const __m128i *)row), eq = _mm_setzero_si128();
        for (int k = 0; k < nids; k++)
            eq = _mm_or_si128(eq, _mm_cmpeq_epi8(v, ids[k]));
        take = (unsigned)_mm_movemask_epi8(eq);
        _mm_storeu_si128((__m128i *)(B + r * 16), _mm_or_si128(_mm_and_si128(eq, stones), _mm_andnot_si128(eq, v)));
#else
        for (int j = 0; j < 16; j++) {
            take |= (unsigned)m->vein_kind[row[j]] << j;
            B[r * 16 + j] = m->vein_kind[row[j]] ? stone : row[j];
        }
#endif
        for (; take; take &= take - 1) {
            int j = __builtin_ctz(take);
            list[n++] = (uint16_t)(r * 16 + j);
            seen |= 1ull << row[j];
        }
    }
    *vused = seen;
    return n;
}

/* A vein symbol: its table, context and symbol. VT_BITS are the k uniform
 * bits (ctx = k) that follow a bucket. */
enum { VT_COUNT, VT_GAP, VT_TYPE, VT_SHAPE, VT_BITS };
typedef struct VeinSym {
    uint8_t table, ctx;
    uint16_t sym;
} VeinSym;

/* A count or gap R as a bucket k = floor(log2(R + 1)) and k bits. */
static inline int vein_bucket(VeinSym *out, int table, int band, int r)
{
    unsigned r1 = (unsigned)r + 1u;
    int k = 31 - __builtin_clz(r1);
    out[0] = (VeinSym){(uint8_t)table, (uint8_t)band, (uint16_t)k};
    out[1] = (VeinSym){VT_BITS, (uint8_t)k, (uint16_t)(r1 - (1u << k))};
    return 2;
}

/* Veins are grown in a grid of 18 x 18 x 18 cells, the chunk inside a
 * border that counts as taken, so that finding a cell's free neighbours
 * needs no tests of the chunk's bounds. Neighbour k: +x, -x, +z, -z, +y, -y. */
#define PAD 18
#define PAD_VOLUME (PAD * PAD * PAD)
static const int vein_step[6] = {1, -1, 16, -16, 256, -256};
static const int pad_step[6] = {1, -1, PAD, -PAD, PAD * PAD, -PAD * PAD};

/* Cell i's place in the grid. */
static inline int pad_of(int i) { return i + 68 * (i >> 8) + 2 * (i >> 4 & 15) + PAD * PAD + PAD + 1; }

/* A grid whose border is taken (nonzero) and inside is free (0): made
 * once; its users put back every cell they change. */
static void pad_init(uint8_t *g)
{
    memset(g, 1, PAD_VOLUME);
    for (int i = 0; i < VOLUME; i++)
        g[pad_of(i)] = 0;
}

/* The free neighbours of the cell at grid place p (bit k: neighbour k). */
static inline unsigned pad_free(const uint8_t *g, int p)
{
    return (unsigned)(g[p + 1] != 1) | (unsigned)(g[p - 1] != 1) << 1 | (unsigned)(g[p + PAD] != 1) << 2 |
           (unsigned)(g[p - PAD] != 1) << 3 | (unsigned)(g[p + PAD * PAD] != 1) << 4 |
           (unsigned)(g[p - PAD * PAD] != 1) << 5;
}

/* The symbols of the veins (the cells where B differs from X, listed in
 * list), in decoding order: the number of veins; for each (a set of
 * same-typed vein cells joined by faces, in the order of its first cell)
 * the gap from the previous first cell, its type, then for each of its
 * cells taken breadth first that has a free neighbour, which free
 * neighbours the vein holds. Returns how many (at most 2 + 4 * 4096). */
static inline __attribute__((always_inline)) int veins_walk(const ChunkModel *m, int band, const uint8_t *X,
                                                           const uint16_t *list, int nlist, VeinSym *out,
                                                           uint32_t *ev)
{
    /* The grid: 0 free, 1 taken (or the border), 2 + v a vein cell of type v not yet taken. */
    static _Thread_local TLS_LOCAL uint8_t grid[PAD_VOLUME];
    static _Thread_local TLS_LOCAL int grid_ready;
    static _Thread_local TLS_LOCAL uint16_t queue[VOLUME];
    if (!grid_ready) {
        pad_init(grid);
        grid_ready = 1;
    }
    for (int li = 0; li < nlist; li++)
        grid[pad_of(list[li])] = (uint8_t)(2 + X[list[li]]);
    int n = 2, veins = 0, last = -1;
    for (int li = 0; li < nlist; li++) {
        int i = list[li];
        if (grid[pad_of(i)] == 1)
            continue;
        veins++;
        if (m) {
            unsigned r1 = (unsigned)(i - last), k = 31u - (unsigned)__builtin_clz(r1);
            ev[n++] = range_of(m->vgap_cum[band], k);
            ev[n++] = (r1 - (1u << k)) << (SCALE_BITS - k) | (SCALE >> k) << 16;
        } else {
            n += vein_bucket(out + n, VT_GAP, band, i - last - 1);
        }
        last = i;
        unsigned v = X[i], want = 2 + v;
        if (m)
            ev[n++] = range_of(m->vtype_cum[band], v);
        else
            out[n++] = (VeinSym){VT_TYPE, (uint8_t)band, (uint16_t)v};
        const uint16_t *shape = m ? m->vshape_cum[v] : NULL;
        int head = 0, tail = 0;
        grid[pad_of(i)] = 1;
        queue[tail++] = (uint16_t)i;
        while (head < tail) {
            int c = queue[head++], p = pad_of(c);
            const uint8_t *g = grid + p;
            unsigned avail = pad_free(grid, p);
            if (!avail)
                continue;
            unsigned mask = (unsigned)(g[1] == want) | (unsigned)(g[-1] == want) << 1 |
                            (unsigned)(g[PAD] == want) << 2 | (unsigned)(g[-PAD] == want) << 3 |
                            (unsigned)(g[PAD * PAD] == want) << 4 | (unsigned)(g[-PAD * PAD] == want) << 5;
            for (unsigned t = mask; t; t &= t - 1) {
                int k = __builtin_ctz(t);
                grid[p + pad_step[k]] = 1;
                queue[tail++] = (uint16_t)(c + vein_step[k]);
            }
            if (m)
                ev[n++] = range_of(shape, mask);
            else
                out[n++] = (VeinSym){VT_SHAPE, (uint8_t)v, (uint16_t)mask};
        }
    }
    for (int li = 0; li < nlist; li++)
        grid[pad_of(list[li])] = 0;
    if (m) {
        unsigned r1 = (unsigned)veins + 1u, k = 31u - (unsigned)__builtin_clz(r1);
        ev[0] = range_of(m->vcount_cum[band], k);
        ev[1] = (r1 - (1u << k)) << (SCALE_BITS - k) | (SCALE >> k) << 16;
    } else {
        vein_bucket(out, VT_COUNT, band, veins);
    }
    return n;
}

/* The veins' symbols as events (training) or as ranges (coding, into ev). */
static int veins_symbols(int band, const uint8_t *X, const uint16_t *list, int nlist, VeinSym *out)
{
    return veins_walk(NULL, band, X, list, nlist, out, NULL);
}
static int veins_ranges(const ChunkModel *m, int band, const uint8_t *X, const uint16_t *list, int nlist,
                        uint32_t *ev)
{
    return veins_walk(m, band, X, list, nlist, NULL, ev);
}

/* ------------------------------------------------------------ coding */

/* The depth band of chunk y cy. */
static int depth_band(int cy) { return cy <= 0 ? 0 : cy == 1 ? 1 : cy < 4 ? 2 : cy < 8 ? 3 : 4; }

/* Codes cells as "c1" (form 1) or "c2" (form 2) into out (of cap bytes). */
static size_t encode_text(const ChunkModel *m, const uint8_t *cells, int cy, char *out, uint64_t *used, int form,
                          size_t cap)
{
    static _Thread_local TLS_LOCAL uint32_t ev[7 * VOLUME + 2];
    int band = depth_band(cy), n;
    if (form == 2) {
        static _Thread_local TLS_LOCAL uint8_t B[VOLUME];
        static _Thread_local TLS_LOCAL uint16_t list[VOLUME];
        uint64_t vused;
        int nv = veins_split(m, cells, B, list, &vused);
        n = walk_ranges(B, band, m, ev, used);
        n += veins_ranges(m, band, cells, list, nv, ev + n);
        *used |= vused;
    } else {
        n = walk_ranges(cells, band, m, ev, used);
    }
    if (*used >> m->count)
        return 0; /* ids the model does not have: the caller maps them first */
    char *end = out + cap, *p = end;
    uint32_t x = RANS_L;
    for (int i = n - 1; i >= 0; i--) {
        uint32_t cum = ev[i] & 0xFFFF, freq = ev[i] >> 16;
        if (freq == SCALE)
            continue; /* a certain symbol costs nothing */
        /* At most two digits leave per symbol (see dec_advance); a branch,
         * as most symbols write none. */
        uint32_t xmax = RANS_XMAX_UNIT * freq;
        if (x >= xmax) {
            *--p = digit_chars[x % RADIX];
            x /= RADIX;
            if (x >= xmax) {
                *--p = digit_chars[x % RADIX];
                x /= RADIX;
            }
        }
        uint32_t q = div_freq(x, freq);
        x = q * SCALE + (x - q * freq) + cum;
    }
    for (int k = 0; k < STATE_DIGITS; k++) {
        *--p = digit_chars[x % RADIX];
        x /= RADIX;
    }
    size_t len = (size_t)(end - p);
    memmove(out, p, len);
    return len;
}

size_t chunk_model_encode(const ChunkModel *m, const uint8_t *cells, int cy, char *out, uint64_t *used)
{
    return encode_text(m, cells, cy, out, used, 1, CHUNK_MODEL_TEXT_MAX);
}

size_t chunk_model_encode_c2(const ChunkModel *m, const uint8_t *cells, int cy, char *out, uint64_t *used)
{
    if (!m->has_veins)
        return 0;
    return encode_text(m, cells, cy, out, used, 2, CHUNK_MODEL_C2_TEXT_MAX);
}

/* The decoder's state: x and where the next digit is. The text is first
 * turned into digits (checking the alphabet once), with zeros after it, so
 * that refilling needs no test per digit; the loop checks once a row that
 * it has not read past the end. */
#define DIGIT_PAD 128 /* > the digits one row can read: 16 cells x 3 symbols x 2 */

typedef struct Dec {
    uint32_t x;
    uint32_t i;           /* the next digit */
    const uint8_t *digit; /* the digits, then DIGIT_PAD zeros */
    const uint16_t *pair; /* pair[k] = 92 digit[k] + digit[k + 1] */
} Dec;

/* Consumes the symbol [cum, cum + freq) and refills. From x >= L the step
 * leaves x >= L / 4096 = 92^2, so at most two digits bring it back to
 * [L, 92 L); two are read as one number (pair), one multiply and one add.
 * A branch: most symbols read nothing, and timed on chunks decoded once
 * each, it is no slower than the refill by arithmetic. */
static inline void dec_advance(Dec *d, uint32_t cum, uint32_t freq)
{
    uint32_t x = freq * (d->x >> SCALE_BITS) + (d->x & (SCALE - 1)) - cum;
    if (x < RANS_L) {
        uint32_t i = d->i;
        if (x < RANS_L / RADIX) {
            x = x * (RADIX * RADIX) + d->pair[i];
            i += 2;
        } else {
            x = x * RADIX + d->digit[i];
            i += 1;
        }
        d->i = i;
    }
    d->x = x;
}

/* A cell symbol (0..3) from its cumulative table of 5 entries (t[0] = 0,
 * t[4] = SCALE): the symbol counts the entries at or below the slot, and
 * the range's ends are picked from the entries already loaded. */
static inline int dec_sym(Dec *d, const uint16_t *t)
{
    uint32_t slot = d->x & (SCALE - 1), t1 = t[1], t2 = t[2], t3 = t[3];
    uint32_t ge1 = slot >= t1, ge2 = slot >= t2, ge3 = slot >= t3;
    uint32_t lo = ge3 ? t3 : ge2 ? t2 : ge1 ? t1 : 0;
    uint32_t hi = !ge1 ? t1 : !ge2 ? t2 : !ge3 ? t3 : SCALE;
    dec_advance(d, lo, hi - lo);
    return (int)(ge1 + ge2 + ge3);
}

/* A literal in context c0: the coarse index gives the first candidate. */
static inline int dec_literal(Dec *d, const ChunkModel *m, unsigned ctx)
{
    const uint16_t *t = m->lit_cum[ctx];
    uint32_t slot = d->x & (SCALE - 1);
    int s = m->lit_start[ctx][slot >> 6];
    while (t[s + 1] <= slot)
        s++;
    dec_advance(d, t[s], (uint32_t)t[s + 1] - t[s]);
    return s;
}

/* A run length in context ctx: the bucket k, then its k uniform bits. */
static inline int dec_run(Dec *d, const ChunkModel *m, unsigned ctx)
{
    const uint16_t *t = m->run_cum[ctx];
    uint32_t slot = d->x & (SCALE - 1);
    int k = m->run_start[ctx][slot >> 6];
    while (t[k + 1] <= slot)
        k++;
    dec_advance(d, t[k], (uint32_t)t[k + 1] - t[k]);
    uint32_t freq = SCALE >> k, e = (d->x & (SCALE - 1)) >> (SCALE_BITS - k);
    dec_advance(d, e * freq, freq);
    return (int)((1u << k) + e) - 1;
}

/* A symbol of table t (n symbols) whose start index gives the first
 * candidate for each 64 slots. */
static inline int dec_table(Dec *d, const uint16_t *t, const uint8_t *start)
{
    uint32_t slot = d->x & (SCALE - 1);
    int s = start[slot >> 6];
    while (t[s + 1] <= slot)
        s++;
    dec_advance(d, t[s], (uint32_t)t[s + 1] - t[s]);
    return s;
}

/* A count or gap: its bucket k, then k uniform bits. */
static inline int dec_bucket(Dec *d, const uint16_t *t, const uint8_t *start)
{
    int k = dec_table(d, t, start);
    uint32_t freq = SCALE >> k, e = (d->x & (SCALE - 1)) >> (SCALE_BITS - k);
    dec_advance(d, e * freq, freq);
    return (int)((1u << k) + e) - 1;
}

/* The veins of "c2" text, after its cells: written over X (the cells
 * there were stone). Returns NULL or why the text is not valid. */
static const char *dec_veins_grid(Dec *d, const ChunkModel *m, unsigned band, uint8_t *X, size_t len,
                                  uint64_t *used, uint8_t *grid, uint16_t *queue, int *tail)
{
    int veins = dec_bucket(d, m->vcount_cum[band], m->vcount_start[band]);
    if (veins > VOLUME)
        return "\"c2\" lists more veins than a chunk has cells";
    int last = -1;
    for (int j = 0; j < veins; j++) {
        int i = last + 1 + dec_bucket(d, m->vgap_cum[band], m->vgap_start[band]);
        if (i >= VOLUME)
            return "\"c2\" starts a vein outside the chunk";
        if (grid[pad_of(i)])
            return "\"c2\" starts a vein in a cell another vein holds";
        last = i;
        int v = dec_table(d, m->vtype_cum[band], m->vtype_start[band]);
        if (v >= m->count)
            return "\"c2\" holds a vein of a block the model does not have";
        *used |= 1ull << v;
        const uint16_t *shape = m->vshape_cum[v];
        const uint8_t *start = m->vshape_start[v];
        int head = *tail;
        grid[pad_of(i)] = 1;
        X[i] = (uint8_t)v;
        queue[(*tail)++] = (uint16_t)i;
        while (head < *tail) {
            int c = queue[head++], p = pad_of(c);
            unsigned avail = pad_free(grid, p);
            if (!avail)
                continue;
            unsigned mask = (unsigned)dec_table(d, shape, start);
            if (mask & ~avail)
                return "\"c2\" grows a vein into a cell that is outside the chunk or taken";
            for (; mask; mask &= mask - 1) {
                int k = __builtin_ctz(mask);
                grid[p + pad_step[k]] = 1;
                X[c + vein_step[k]] = (uint8_t)v;
                queue[(*tail)++] = (uint16_t)(c + vein_step[k]);
            }
            if (d->i > len)
                return "\"c2\" ends before its veins";
        }
        if (d->i > len)
            return "\"c2\" ends before its veins";
    }
    return NULL;
}

/* The veins of "c2" text, after its cells: written over X (the cells
 * there were stone). Returns NULL or why the text is not valid. The grid
 * of taken cells is kept between calls and put back as it was. */
static const char *dec_veins(Dec *d, const ChunkModel *m, unsigned band, uint8_t *X, size_t len, uint64_t *used)
{
    static _Thread_local TLS_LOCAL uint8_t grid[PAD_VOLUME];
    static _Thread_local TLS_LOCAL int grid_ready;
    static _Thread_local TLS_LOCAL uint16_t queue[VOLUME];
    if (!grid_ready) {
        pad_init(grid);
        grid_ready = 1;
    }
    int tail = 0;
    const char *why = dec_veins_grid(d, m, band, X, len, used, grid, queue, &tail);
    for (int k = 0; k < tail; k++)
        grid[pad_of(queue[k])] = 0;
    return why;
}

/* Which cells of a row are easy when the cell west of each holds the value
 * of the row it was copied from (the row below, or north in layer 0): bit
 * j set when its neighbours, so assumed, exist (at least two) and agree. */
static inline unsigned easy_when_copied(const uint8_t *rb, const uint8_t *rn, int ex)
{
#if defined(__SSE2__)
    __m128i b = _mm_loadu_si128((const __m128i *)rb), n = _mm_loadu_si128((const __m128i *)rn);
    switch (ex) {
    case 3: {
        unsigned bn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, n));
        unsigned bw = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_slli_si128(b, 1)));
        return bn & (bw | 1u);
    }
    case 1: return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_slli_si128(b, 1))) & ~1u;
    case 2: return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(n, _mm_slli_si128(n, 1))) & ~1u;
    default: return 0;
    }
#else
    unsigned e = 0;
    for (int j = 0; j < 16; j++) {
        int bw = j && rb[j] == rb[j - 1], nw = j && rn[j] == rn[j - 1];
        e |= (unsigned)(ex == 3 ? rb[j] == rn[j] && (j == 0 || bw) : ex == 1 ? bw : ex == 2 ? nw : 0) << j;
    }
    return e;
#endif
}

/* Bit j set when a[j] = b[j]. */
static inline unsigned equal_mask(const uint8_t *a, const uint8_t *b)
{
#if defined(__SSE2__)
    return (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)a), _mm_loadu_si128((const __m128i *)b)));
#else
    unsigned e = 0;
    for (int j = 0; j < 16; j++)
        e |= (unsigned)(a[j] == b[j]) << j;
    return e;
#endif
}

/* What the decoder carries from cell to cell. */
typedef struct DecState {
    Dec d;
    int run_left;  /* easy cells left in the open run; -1: none open */
    uint64_t seen; /* the literals so far (bit per id) */
    const ChunkModel *m;
    unsigned lit_run, lit_sym, run_base;
} DecState;

/* One cell, any row, from its neighbours (the MISSING_* values where there
 * are none); ex: bit 0 below exists, bit 1 north, bit 2 west. Returns its
 * value, or -1 when the text copies a neighbour the cell does not have. */
static inline int dec_cell(DecState *st, unsigned b, unsigned n, unsigned w, int ex, unsigned twice)
{
    int p = pattern_of(b, n, w, ex);
    uint32_t t = g_patterns[p], vals = b | n << 8 | w << 16 | (uint32_t)CM_NONE << 24;
    unsigned c0 = candidate(t, vals, 0);
    if (t & PAT_EASY) {
        if (st->run_left < 0)
            st->run_left = dec_run(&st->d, st->m, st->run_base + c0);
        if (st->run_left > 0) {
            st->run_left--;
            return (int)c0;
        }
        int v = dec_literal(&st->d, st->m, st->lit_run + c0);
        st->seen |= 1ull << v;
        st->run_left = -1;
        return v;
    }
    int s = dec_sym(&st->d, st->m->sym_cum[(p | twice) * CM_C0 + c0]);
    if (s == 3) {
        int v = dec_literal(&st->d, st->m, st->lit_sym + c0);
        st->seen |= 1ull << v;
        return v;
    }
    return s < (int)PAT_NCAND(t) ? (int)candidate(t, vals, s) : -1;
}

/* Cells are decoded row by row. Each row starts as a copy of the row it
 * mostly repeats (below, or north in layer 0), so that runs of easy cells
 * cost nothing but counting: while the cell west of the next one holds its
 * copied value, which cells are easy is known for the whole row at once
 * (easy_when_copied), and a stretch of them is skipped with one count of
 * bits. Other cells are decoded one by one from their neighbours; in rows
 * with a row below and a row north (all but 31 of 256), by a path that
 * knows it. */
/* Form 1 ("c1") or 2 ("c2"); the messages name the form. */
#define FORM_MSG(form, text) ((form) == 2 ? "\"c2\" " text : "\"c1\" " text)

static inline __attribute__((always_inline)) const char *decode_text(const ChunkModel *m, const char *text,
                                                                    size_t len, int cy, uint8_t *X, uint64_t *used,
                                                                    int form)
{
    const char *const copies_missing = FORM_MSG(form, "copies a neighbour that is not there");
    const unsigned band = (unsigned)depth_band(cy);
    static _Thread_local TLS_LOCAL uint8_t digits[CHUNK_MODEL_C2_TEXT_MAX + DIGIT_PAD];
    static _Thread_local TLS_LOCAL uint16_t pairs[CHUNK_MODEL_C2_TEXT_MAX + DIGIT_PAD];
    if (len < STATE_DIGITS)
        return FORM_MSG(form, "is too short");
    if (len > (form == 2 ? CHUNK_MODEL_C2_TEXT_MAX : CHUNK_MODEL_TEXT_MAX))
        return FORM_MSG(form, "is longer than any coding of 4096 blocks");
    uint8_t bad = 0;
    for (size_t i = 0; i < len; i++)
        bad |= digits[i] = m->digit_of[(unsigned char)text[i]];
    if (bad & 0x80)
        return FORM_MSG(form, "holds a character outside its alphabet");
    memset(digits + len, 0, DIGIT_PAD);
    for (size_t i = STATE_DIGITS; i < len; i++)
        pairs[i] = (uint16_t)(digits[i] * RADIX + digits[i + 1]);
    memset(pairs + len, 0, DIGIT_PAD * sizeof pairs[0]);
    uint64_t x0 = 0;
    for (int k = 0; k < STATE_DIGITS; k++)
        x0 = x0 * RADIX + digits[k];
    if (x0 < RANS_L || x0 >= (uint64_t)RANS_L * RADIX)
        return FORM_MSG(form, "does not start with a valid state");
    DecState st = {{(uint32_t)x0, STATE_DIGITS, digits, pairs}, -1, 0, m, band * 2 * CM_C0,
                   band * 2 * CM_C0 + CM_C0, band * CM_C0};
    for (int y = 0; y < 16; y++)
        for (int z = 0; z < 16; z++) {
            int row = y << 8 | z << 4;
            const uint8_t *rb = y ? X + row - 256 : missing_below, *rn = z ? X + row - 16 : missing_north;
            uint8_t *rx = X + row;
            const int ex = (y > 0) | (z > 0) << 1;
            /* The row it is copied from; the first row of the chunk has none. */
            const uint8_t *from = ex & 1 ? rb : ex & 2 ? rn : missing_below;
            memcpy(rx, from, 16);
            const unsigned easy = easy_when_copied(rb, rn, ex);
            if (easy == 0xFFFF && st.run_left >= 16) {
                st.run_left -= 16; /* the whole row is easy and inside the run: the copy is the row */
                continue;
            }
            const unsigned twice = y >= 2 ? equal_mask(rx - 512, rb) << 6 : 0;
            unsigned copied = 1; /* whether the cell west holds its copied value (or there is none) */
            unsigned w = MISSING_W;
            for (int x = 0; x < 16;) {
                if (copied && (easy >> x & 1)) {
                    unsigned c0 = from[x];
                    if (st.run_left < 0)
                        st.run_left = dec_run(&st.d, m, st.run_base + c0);
                    if (st.run_left > 0) {
                        int k = stretch_len(easy, x);
                        if (k > st.run_left)
                            k = st.run_left;
                        st.run_left -= k;
                        x += k;
                        w = from[x - 1];
                        continue;
                    }
                    int v = dec_literal(&st.d, m, st.lit_run + c0); /* never c0 */
                    st.seen |= 1ull << v;
                    st.run_left = -1;
                    rx[x++] = (uint8_t)v;
                    w = (unsigned)v;
                    copied = 0;
                    continue;
                }
                unsigned b = rb[x], n = rn[x], v;
                if (ex == 3 && x > 0) {
                    /* Below, north and west all exist: the first candidate
                     * is below, then north when it differs, then west. */
                    unsigned bn = b == n, bw = b == w, nw = n == w;
                    if (bn & bw) {
                        if (st.run_left < 0)
                            st.run_left = dec_run(&st.d, m, st.run_base + b);
                        if (st.run_left > 0) {
                            st.run_left--;
                            v = b;
                        } else {
                            v = (unsigned)dec_literal(&st.d, m, st.lit_run + b);
                            st.seen |= 1ull << v;
                            st.run_left = -1;
                        }
                    } else {
                        unsigned p = 7 | bn << 3 | bw << 4 | nw << 5 | (twice >> x & 64);
                        unsigned s = (unsigned)dec_sym(&st.d, m->sym_cum[p * CM_C0 + b]);
                        if (s < 3) {
                            if (s == 2 && (bn | bw | nw))
                                return copies_missing;
                            v = s == 0 ? b : s == 1 && !bn ? n : w;
                        } else {
                            v = (unsigned)dec_literal(&st.d, m, st.lit_sym + b);
                            st.seen |= 1ull << v;
                        }
                    }
                } else {
                    int c = dec_cell(&st, b, n, w, ex | (x > 0) << 2, twice >> x & 64);
                    if (c < 0)
                        return copies_missing;
                    v = (unsigned)c;
                }
                rx[x] = (uint8_t)v;
                copied = v == from[x];
                w = v;
                x++;
            }
            if (st.d.i > len)
                return FORM_MSG(form, "ends before its 4096 blocks");
        }
    if (st.run_left > 0)
        return FORM_MSG(form, "runs past 4096 blocks");
    if (form == 2) {
        const char *why = dec_veins(&st.d, m, band, X, len, &st.seen);
        if (why)
            return why;
    }
    if (st.d.i != len || st.d.x != RANS_L)
        return FORM_MSG(form, "holds more than 4096 blocks or is damaged");
    *used = st.seen;
    return NULL;
}

const char *chunk_model_decode(const ChunkModel *m, const char *text, size_t len, int cy, uint8_t *X, uint64_t *used)
{
    return decode_text(m, text, len, cy, X, used, 1);
}

const char *chunk_model_decode_c2(const ChunkModel *m, const char *text, size_t len, int cy, uint8_t *X,
                                  uint64_t *used)
{
    if (!m->has_veins)
        return "\"c2\" needs the c2 model";
    return decode_text(m, text, len, cy, X, used, 2);
}

static ChunkModel *g_model, *g_model_c2;
static const char *g_model_error, *g_model_c2_error;
static pthread_once_t g_model_once = PTHREAD_ONCE_INIT;

/* Loads the compiled-in file name into m; NULL or why not. */
static const char *model_embedded(ChunkModel *m, const char *name)
{
    for (const EmbeddedFile *f = embedded_files; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return chunk_model_parse(m, (const char *)f->bytes, (size_t)f->len);
    return "is not compiled in";
}

static void model_init(void)
{
    static ChunkModel model, model_c2;
    patterns_init();
    symbols_init();
    for (uint32_t f = 1; f <= SCALE; f++)
        g_recip[f] = f > 1 ? UINT64_MAX / f + 1 : 0; /* ceil(2^64 / f); 1 is taken apart */
    if (!(g_model_error = model_embedded(&model, "chunk_model.json")))
        g_model = &model;
    if (!(g_model_c2_error = model_embedded(&model_c2, "chunk_model_c2.json"))) {
        if (model_c2.has_veins)
            g_model_c2 = &model_c2;
        else
            g_model_c2_error = "has no \"veins\"";
    }
}

const ChunkModel *chunk_model_get(Err *err)
{
    pthread_once(&g_model_once, model_init);
    if (!g_model)
        err_set(err, MA_ERR_CORRUPT, "data/chunk_model.json (compiled in): %s", g_model_error);
    return g_model;
}

const ChunkModel *chunk_model_get_c2(Err *err)
{
    pthread_once(&g_model_once, model_init);
    if (!g_model_c2)
        err_set(err, MA_ERR_CORRUPT, "data/chunk_model_c2.json (compiled in): %s", g_model_c2_error);
    return g_model_c2;
}

/* ------------------------------------------------------------ training */

struct ChunkModelCounts {
    double sym[CM_SYM_PATTERNS * CM_C0][4];
    double lit[CM_LIT][CHUNK_MODEL_MAX_BLOCKS];
    double run[CM_RUNCTX][CM_RUN_BUCKETS];
    int veins; /* whether chunk_model_counts_add_c2 counted */
    double vcount[CM_BANDS][CM_RUN_BUCKETS], vgap[CM_BANDS][CM_RUN_BUCKETS];
    double vtype[CM_BANDS][CHUNK_MODEL_MAX_BLOCKS], vshape[CHUNK_MODEL_MAX_BLOCKS][CV_SHAPES];
};

ChunkModelCounts *chunk_model_counts_new(void)
{
    pthread_once(&g_model_once, model_init); /* the pattern table */
    return calloc(1, sizeof(ChunkModelCounts));
}
void chunk_model_counts_free(ChunkModelCounts *k) { free(k); }

void chunk_model_counts_add(ChunkModelCounts *k, const uint8_t *cells, int cy)
{
    uint32_t *ev = malloc(sizeof *ev * 3 * VOLUME);
    if (!ev)
        return;
    uint64_t used;
    int n = walk_events(cells, depth_band(cy), ev, &used);
    for (int i = 0; i < n; i++) {
        uint32_t ctx = EV_CTX(ev[i]), sym = EV_SYMBOL(ev[i]);
        if (EV_KIND(ev[i]) == EV_SYM)
            k->sym[ctx][sym]++;
        else if (EV_KIND(ev[i]) == EV_LIT)
            k->lit[ctx][sym]++;
        else if (EV_KIND(ev[i]) == EV_RUN)
            k->run[ctx][sym]++;
    }
    free(ev);
}

void chunk_model_counts_add_c2(ChunkModelCounts *k, const ChunkModel *m, const uint8_t *cells, int cy)
{
    uint8_t *B = malloc(VOLUME);
    uint16_t *list = malloc(sizeof *list * VOLUME);
    VeinSym *vs = malloc(sizeof *vs * (4 * VOLUME + 2));
    if (B && list && vs) {
        uint64_t vused;
        int nv = veins_split(m, cells, B, list, &vused);
        chunk_model_counts_add(k, B, cy);
        int n = veins_symbols(depth_band(cy), cells, list, nv, vs);
        for (int i = 0; i < n; i++) {
            VeinSym e = vs[i];
            switch (e.table) {
            case VT_COUNT: k->vcount[e.ctx][e.sym]++; break;
            case VT_GAP: k->vgap[e.ctx][e.sym]++; break;
            case VT_TYPE: k->vtype[e.ctx][e.sym]++; break;
            case VT_SHAPE: k->vshape[e.ctx][e.sym]++; break;
            default: break;
            }
        }
        k->veins = 1;
    }
    free(B);
    free(list);
    free(vs);
}

/* Rows [context, n counts] of the contexts that have counts. */
static void counts_rows(cJSON *a, const double *c, int nctx, int n)
{
    for (int ctx = 0; ctx < nctx && a; ctx++) {
        double row[CV_SHAPES + 1], sum = 0;
        row[0] = ctx;
        for (int s = 0; s < n; s++)
            sum += row[1 + s] = c[ctx * n + s];
        if (sum > 0)
            cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(row, n + 1));
    }
}

char *chunk_model_counts_json(const ChunkModelCounts *k, const char *const *names, int count)
{
    cJSON *root = cJSON_CreateObject(), *a;
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "about",
                            "block_data \"c1\" cell model: symbol counts over generated chunks "
                            "(bench codec-model); see docs/chunk-format.md. Never edit: stored chunks depend on it.");
    cJSON_AddNumberToObject(root, "version", 1);
    a = cJSON_AddArrayToObject(root, "blocks");
    for (int i = 0; i < count && a; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
    a = cJSON_AddArrayToObject(root, "cells");
    for (int ctx = 0; ctx < CM_SYM_PATTERNS * CM_C0 && a; ctx++) {
        const double *s = k->sym[ctx];
        if (s[0] + s[1] + s[2] + s[3] == 0)
            continue;
        double row[6] = {ctx / CM_C0, ctx % CM_C0, s[0], s[1], s[2], s[3]};
        cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(row, 6));
    }
    a = cJSON_AddArrayToObject(root, "literals");
    for (int ctx = 0; ctx < CM_LIT && a; ctx++) {
        double row[CHUNK_MODEL_MAX_BLOCKS + 1], sum = 0;
        row[0] = ctx;
        for (int v = 0; v < count; v++)
            sum += row[1 + v] = k->lit[ctx][v];
        if (sum > 0)
            cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(row, count + 1));
    }
    a = cJSON_AddArrayToObject(root, "runs");
    for (int ctx = 0; ctx < CM_RUNCTX && a; ctx++) {
        double row[CM_RUN_BUCKETS + 1], sum = 0;
        row[0] = ctx;
        for (int b = 0; b < CM_RUN_BUCKETS; b++)
            sum += row[1 + b] = k->run[ctx][b];
        if (sum > 0)
            cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(row, CM_RUN_BUCKETS + 1));
    }
    if (k->veins) {
        cJSON *v = cJSON_AddObjectToObject(root, "veins");
        cJSON_ReplaceItemInObject(root, "about",
                                  cJSON_CreateString("block_data \"c2\" model: the cell counts of chunks with their "
                                                     "veins taken out, and the veins' counts (bench codec-model "
                                                     "--c2); see docs/chunk-format.md. Never edit: stored chunks "
                                                     "depend on it."));
        cJSON_ReplaceItemInObject(root, "version", cJSON_CreateNumber(2));
        if (v) {
            counts_rows(cJSON_AddArrayToObject(v, "count"), &k->vcount[0][0], CM_BANDS, CM_RUN_BUCKETS);
            counts_rows(cJSON_AddArrayToObject(v, "gap"), &k->vgap[0][0], CM_BANDS, CM_RUN_BUCKETS);
            /* type rows hold one count per block, as the literals do */
            a = cJSON_AddArrayToObject(v, "type");
            for (int ctx = 0; ctx < CM_BANDS && a; ctx++) {
                double row[CHUNK_MODEL_MAX_BLOCKS + 1], sum = 0;
                row[0] = ctx;
                for (int s = 0; s < count; s++)
                    sum += row[1 + s] = k->vtype[ctx][s];
                if (sum > 0)
                    cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(row, count + 1));
            }
            a = cJSON_AddArrayToObject(v, "shape");
            for (int ctx = 0; ctx < count && a; ctx++) {
                double row[CV_SHAPES + 1], sum = 0;
                row[0] = ctx;
                for (int s = 0; s < CV_SHAPES; s++)
                    sum += row[1 + s] = k->vshape[ctx][s];
                if (sum > 0)
                    cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(row, CV_SHAPES + 1));
            }
        }
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}
