/* chunk_model_load.c — the model of the cell coder read from its file
 * (data/chunk_model.json for "c1", data/chunk_model_c2.json for "c2", compiled
 * in): each table checked and scaled to the coder's frequencies. The coder
 * itself is chunk_model.c. */
#include "world/chunk_model_internal.h"

#include <string.h>

#include <cJSON.h>

int chunk_model_count(const ChunkModel *m) { return m->count; }
const char *chunk_model_name(const ChunkModel *m, int id) { return id >= 0 && id < m->count ? m->names[id] : ""; }

int chunk_model_find(const ChunkModel *m, const char *name)
{
    for (int i = 0; i < m->count; i++)
        if (strcmp(m->names[i], name) == 0)
            return i;
    return -1;
}

/* Scales counts (n symbols) to frequencies summing to SCALE, every allowed
 * symbol at least 1, and writes the cumulative table (n + 1 entries). */
static void quantize(const double *count, const uint8_t *allowed, int n, uint16_t *cum)
{
    double total = 0;
    int nallowed = 0;
    for (int s = 0; s < n; s++)
        if (allowed[s]) {
            total += count[s];
            nallowed++;
        }
    uint32_t f[CHUNK_MODEL_MAX_BLOCKS + 1] = {0};
    int sum = 0, big = -1;
    for (int s = 0; s < n; s++) {
        if (!allowed[s])
            continue;
        double share = total > 0 ? count[s] / total : 1.0 / nallowed;
        uint32_t v = (uint32_t)(share * (SCALE - nallowed) + 0.5) + 1;
        f[s] = v;
        sum += (int)v;
        if (big < 0 || f[s] > f[big])
            big = s;
    }
    /* Give or take the rounding from the most frequent symbol. */
    if (big >= 0)
        f[big] = (uint32_t)((int)f[big] + (int)SCALE - sum);
    cum[0] = 0;
    for (int s = 0; s < n; s++)
        cum[s + 1] = (uint16_t)(cum[s] + f[s]);
}

/* The number of candidates a context pattern gives. */
static int pattern_candidates(int p, int *valid)
{
    int hb = p & 1, hn = p >> 1 & 1, hw = p >> 2 & 1, bn = p >> 3 & 1, bw = p >> 4 & 1, nw = p >> 5 & 1;
    *valid = !(bn && !(hb && hn)) && !(bw && !(hb && hw)) && !(nw && !(hn && hw)) &&
             /* equality is transitive */ !(bn && bw && !nw) && !(bn && nw && !bw) && !(bw && nw && !bn);
    return hb + (hn && !bn) + (hw && !bw && !nw);
}

/* Fills start[k], the first symbol whose range may hold slot 64 k. */
static void fill_start(const uint16_t *cum, uint8_t *start)
{
    for (int k = 0, s = 0; k < 64; k++) {
        while (cum[s + 1] <= (uint32_t)k * 64)
            s++;
        start[k] = (uint8_t)s;
    }
}

/* One table of "veins": rows [context, n counts] into cum[nctx][n + 1];
 * a context never seen takes the counts of every context. */
static const char *veins_table(const cJSON *rows, int nctx, int n, int stride, uint16_t *cum, uint8_t *start)
{
    static double count[CHUNK_MODEL_MAX_BLOCKS][CV_SHAPES];
    double all[CV_SHAPES] = {0};
    uint8_t seen[CHUNK_MODEL_MAX_BLOCKS] = {0}, allowed[CV_SHAPES];
    if (!cJSON_IsArray(rows))
        return "\"veins\" needs the arrays \"count\", \"gap\", \"type\" and \"shape\"";
    for (const cJSON *e = rows->child; e; e = e->next) {
        int ctx = cJSON_GetArraySize(e) == n + 1 ? (int)cJSON_GetArrayItem(e, 0)->valuedouble : -1;
        if (ctx < 0 || ctx >= nctx)
            return "each row of \"veins\" must be [context, one count per symbol]";
        seen[ctx] = 1;
        for (int k = 0; k < n; k++)
            all[k] += count[ctx][k] = cJSON_GetArrayItem(e, 1 + k)->valuedouble;
    }
    memset(allowed, 1, sizeof allowed);
    for (int ctx = 0; ctx < nctx; ctx++) {
        quantize(seen[ctx] ? count[ctx] : all, allowed, n, cum + ctx * stride);
        fill_start(cum + ctx * stride, start + ctx * 64);
    }
    return NULL;
}

/* The encoder's veins from the block names (ores and granite), and the
 * "veins" tables when the file has them (the c2 model). */
static const char *veins_load(ChunkModel *m, const cJSON *veins)
{
    static const char *const kinds[] = {"coal_ore", "iron_ore", "gold_ore", "diamond_ore", "granite"};
    m->stone = chunk_model_find(m, "stone");
    memset(m->vein_kind, 0, sizeof m->vein_kind);
    m->vein_nids = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        int id = chunk_model_find(m, kinds[i]);
        if (id >= 0) {
            m->vein_kind[id] = 1;
            m->vein_ids[m->vein_nids++] = (uint8_t)id;
        }
    }
    m->has_veins = 0;
    if (!veins)
        return NULL;
    const char *why;
    if ((why = veins_table(cJSON_GetObjectItemCaseSensitive(veins, "count"), CM_BANDS, CM_RUN_BUCKETS,
                           CM_RUN_BUCKETS + 1, &m->vcount_cum[0][0], &m->vcount_start[0][0])) ||
        (why = veins_table(cJSON_GetObjectItemCaseSensitive(veins, "gap"), CM_BANDS, CM_RUN_BUCKETS,
                           CM_RUN_BUCKETS + 1, &m->vgap_cum[0][0], &m->vgap_start[0][0])) ||
        (why = veins_table(cJSON_GetObjectItemCaseSensitive(veins, "type"), CM_BANDS, m->count,
                           CHUNK_MODEL_MAX_BLOCKS + 1, &m->vtype_cum[0][0], &m->vtype_start[0][0])) ||
        (why = veins_table(cJSON_GetObjectItemCaseSensitive(veins, "shape"), m->count, CV_SHAPES,
                           CV_SHAPES + 1, &m->vshape_cum[0][0], &m->vshape_start[0][0])))
        return why;
    m->has_veins = 1;
    return NULL;
}

const char *chunk_model_parse(ChunkModel *m, const char *text, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    const char *why = NULL;
    double count[CHUNK_MODEL_MAX_BLOCKS + 1];
    uint8_t allowed[CHUNK_MODEL_MAX_BLOCKS + 1];
    const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(root, "blocks");
    const cJSON *cells = cJSON_GetObjectItemCaseSensitive(root, "cells");
    const cJSON *lits = cJSON_GetObjectItemCaseSensitive(root, "literals");
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    if (!cJSON_IsArray(blocks) || !cJSON_IsArray(cells) || !cJSON_IsArray(lits) || !cJSON_IsArray(runs)) {
        why = "needs the arrays \"blocks\", \"cells\", \"literals\" and \"runs\"";
        goto done;
    }
    m->count = 0;
    for (const cJSON *b = blocks->child; b; b = b->next) {
        if (!cJSON_IsString(b) || strlen(b->valuestring) >= sizeof m->names[0] ||
            m->count >= CHUNK_MODEL_MAX_BLOCKS) {
            why = "\"blocks\" must be at most 64 names of under 32 bytes";
            goto done;
        }
        strcpy(m->names[m->count++], b->valuestring);
    }
    if (m->count < 2) {
        why = "\"blocks\" needs at least two names";
        goto done;
    }
    /* Defaults for contexts the training never met: the allowed symbols alike. */
    for (int p = 0; p < CM_SYM_PATTERNS; p++)
        for (int c0 = 0; c0 < CM_C0; c0++) {
            int valid, nc = pattern_candidates(p % CM_PATTERNS, &valid);
            for (int s = 0; s < 4; s++) {
                allowed[s] = s == 3 || s < nc;
                count[s] = 0;
            }
            quantize(count, allowed, 4, m->sym_cum[p * CM_C0 + c0]);
        }
    for (const cJSON *e = cells->child; e; e = e->next) {
        /* [p, c0, n0, n1, n2, n3] */
        if (cJSON_GetArraySize(e) != 6) {
            why = "each of \"cells\" must be [pattern, c0, four counts]";
            goto done;
        }
        int p = (int)cJSON_GetArrayItem(e, 0)->valuedouble, c0 = (int)cJSON_GetArrayItem(e, 1)->valuedouble;
        int valid, nc = pattern_candidates(p < 0 || p >= CM_SYM_PATTERNS ? 0 : p % CM_PATTERNS, &valid);
        if (p < 0 || p >= CM_SYM_PATTERNS || c0 < 0 || (c0 >= m->count && c0 != CM_NONE) || !valid) {
            why = "\"cells\" names a context that cannot occur";
            goto done;
        }
        for (int s = 0; s < 4; s++) {
            count[s] = cJSON_GetArrayItem(e, 2 + s)->valuedouble;
            allowed[s] = s == 3 || s < nc;
        }
        quantize(count, allowed, 4, m->sym_cum[p * CM_C0 + c0]);
    }
    /* [context, counts]: literals by (band, after a run or a symbol, c0), runs by (band, c0). A
     * context never seen takes the counts of its kind over every band (literals), or those
     * of its c0 over every band and then of all (runs). */
    static double lit_all[2 * CM_C0][CHUNK_MODEL_MAX_BLOCKS];
    double run_c0[CM_C0][CM_RUN_BUCKETS], run_all[CM_RUN_BUCKETS];
    memset(lit_all, 0, sizeof lit_all);
    memset(run_c0, 0, sizeof run_c0);
    memset(run_all, 0, sizeof run_all);
    for (int pass = 0; pass < 2; pass++) {
        for (const cJSON *e = lits->child; e; e = e->next) {
            int ctx = cJSON_GetArraySize(e) == m->count + 1 ? (int)cJSON_GetArrayItem(e, 0)->valuedouble : -1;
            int c0 = ctx < 0 ? -1 : ctx % CM_C0;
            if (ctx < 0 || ctx >= CM_LIT || (c0 >= m->count && c0 != CM_NONE)) {
                why = "each of \"literals\" must be [context, one count per block]";
                goto done;
            }
            for (int v = 0; v < m->count; v++) {
                count[v] = cJSON_GetArrayItem(e, 1 + v)->valuedouble;
                allowed[v] = v != c0;
                if (pass == 0)
                    lit_all[ctx % (2 * CM_C0)][v] += count[v];
            }
            if (pass == 1)
                quantize(count, allowed, m->count, m->lit_cum[ctx]);
        }
        for (const cJSON *e = runs->child; e; e = e->next) {
            int ctx = cJSON_GetArraySize(e) == CM_RUN_BUCKETS + 1 ? (int)cJSON_GetArrayItem(e, 0)->valuedouble : -1;
            int c0 = ctx < 0 ? -1 : ctx % CM_C0;
            if (ctx < 0 || ctx >= CM_RUNCTX || (c0 >= m->count && c0 != CM_NONE)) {
                why = "each of \"runs\" must be [context, 13 counts]";
                goto done;
            }
            for (int k = 0; k < CM_RUN_BUCKETS; k++) {
                count[k] = cJSON_GetArrayItem(e, 1 + k)->valuedouble;
                allowed[k] = 1;
                if (pass == 0) {
                    run_c0[c0][k] += count[k];
                    run_all[k] += count[k];
                }
            }
            if (pass == 1)
                quantize(count, allowed, CM_RUN_BUCKETS, m->run_cum[ctx]);
        }
        if (pass == 1)
            break;
        /* The defaults, before the contexts' own counts. */
        for (int ctx = 0; ctx < CM_LIT; ctx++) {
            for (int v = 0; v < m->count; v++)
                allowed[v] = v != ctx % CM_C0;
            quantize(lit_all[ctx % (2 * CM_C0)], allowed, m->count, m->lit_cum[ctx]);
        }
        for (int k = 0; k < CM_RUN_BUCKETS; k++)
            allowed[k] = 1;
        for (int ctx = 0; ctx < CM_RUNCTX; ctx++) {
            const double *c = run_c0[ctx % CM_C0];
            double sum = 0;
            for (int k = 0; k < CM_RUN_BUCKETS; k++)
                sum += c[k];
            quantize(sum > 0 ? c : run_all, allowed, CM_RUN_BUCKETS, m->run_cum[ctx]);
        }
    }
    for (int ctx = 0; ctx < CM_LIT; ctx++)
        for (int k = 0, s = 0; k < 64; k++) {
            while (m->lit_cum[ctx][s + 1] <= (uint32_t)k * 64)
                s++;
            m->lit_start[ctx][k] = (uint8_t)s;
        }
    for (int ctx = 0; ctx < CM_RUNCTX; ctx++)
        for (int k = 0, s = 0; k < 64; k++) {
            while (m->run_cum[ctx][s + 1] <= (uint32_t)k * 64)
                s++;
            m->run_start[ctx][k] = (uint8_t)s;
        }
    if ((why = veins_load(m, cJSON_GetObjectItemCaseSensitive(root, "veins"))) != NULL)
        goto done;
    memset(m->digit_of, 0xFF, sizeof m->digit_of); /* not a digit: the high bit set */
    for (unsigned i = 0; i < RADIX; i++)
        m->digit_of[(unsigned char)digit_chars[i]] = (uint8_t)i;
done:
    cJSON_Delete(root);
    return why;
}
