/* bench.c — the load test: N client threads, each a player pushing and pulling through the
 * client library (src/net/sync_client.c), against a running server.
 *
 * Each client signs up and logs in, shares a flat world ("many": one world each) or joins one
 * world shared by all ("one": client 0 owns it and invites the others), pushes its character
 * and its villagers, then loops until the time is up: a push of --ops operations (a realistic
 * mix: 88% chunk edits of 1 to 3 blocks in the client's own four chunks, then character
 * updates, a relationship entry, an agent log entry and quest progress), then a pull of what
 * changed around it since its cursor (near=, three chunks around its patch, as a game pulls);
 * then it waits for the rest of --interval-ms (the pace of a player
 * whose game syncs every few seconds). --interval-ms 0 pushes back to back (a saturation test).
 * Clients start spread over the first interval.
 *
 * It prints pushes, operations per second, push and pull latency (p50, p99, max), and errors
 * (a failed request, or an op not answered "applied"). With --database URL it then counts rows
 * in the database and compares them with what the clients were told was applied: the applied
 * operations, the chunk versions, the evolution log, the relationship histories. */
#include "bench.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "db.h"
#include "net/sync_client.h"
#include "util/timeutil.h"
#include "world/chunk.h"
#include "world/generator.h"

typedef struct BenchCfg {
    const char *url, *database, *prefix;
    int clients, seconds, ops, interval_ms, many;
} BenchCfg;

typedef struct Client {
    int i;
    const BenchCfg *cfg;
    SyncClient *sc;
    char user[64];
    int64_t world;
    Chunk *chunks[4];
    int64_t char_version;
    int64_t cursor;
    uint64_t rng;
    /* results */
    double *push_ms, *pull_ms;
    int n_push, n_pull, cap_push, cap_pull;
    long ops_applied, chunk_ops, evo_ops, rel_entries, errors;
    char first_error[300];
} Client;

#define VILLAGERS 4

static const BlockRegistry *g_reg;
static pthread_barrier_t g_start;
static atomic_long g_setup_errors;
static int64_t g_shared_world;
static char g_run[32];

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void note_error(Client *c, const char *what, const char *msg)
{
    c->errors++;
    if (!c->first_error[0])
        snprintf(c->first_error, sizeof c->first_error, "%s: %s", what, msg);
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void add_sample(double **a, int *n, int *cap, double v)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *a = realloc(*a, (size_t)*cap * sizeof **a);
    }
    (*a)[(*n)++] = v;
}

/* The client's four chunks: a 2x2 patch at the surface layer of a flat world (grass at y 64). */
static void chunk_coords(const Client *c, int k, int32_t *cx, int32_t *cy, int32_t *cz)
{
    *cx = c->i * 2 + (k & 1);
    *cy = 4;
    *cz = (k >> 1) + (c->cfg->many ? 0 : 7);
}

static cJSON *op_base(const char *kind)
{
    char id[37];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", sync_client_new_op_id(id));
    cJSON_AddStringToObject(o, "kind", kind);
    return o;
}

static cJSON *character_op(Client *c, int npc)
{
    cJSON *o = op_base("character");
    char key[80];
    if (npc)
        snprintf(key, sizeof key, "npc%d-%s", npc - 1, c->user);
    else
        snprintf(key, sizeof key, "pc-%s", c->user);
    cJSON_AddStringToObject(o, "key", key);
    cJSON_AddNumberToObject(o, "base_version", npc ? 0 : (double)c->char_version);
    cJSON_AddBoolToObject(o, "npc", npc != 0);
    cJSON *ch = cJSON_AddObjectToObject(o, "character");
    cJSON_AddStringToObject(ch, "name", npc ? "Mara of Ashford" : c->user);
    cJSON_AddStringToObject(ch, "character_class", npc ? "villager" : "warrior");
    cJSON_AddNumberToObject(ch, "level", 1 + (double)(next_rand(&c->rng) % 20));
    cJSON_AddNumberToObject(ch, "experience", (double)(next_rand(&c->rng) % 5000));
    cJSON *st = cJSON_AddObjectToObject(ch, "stats");
    static const char *const stats[] = {"health", "mana", "strength", "intelligence", "dexterity", "constitution", "charisma"};
    for (int i = 0; i < 7; i++)
        cJSON_AddNumberToObject(st, stats[i], 5 + (double)(next_rand(&c->rng) % 100));
    double pos[3] = {c->i * 32.0 + (double)(next_rand(&c->rng) % 32), 65, (double)(next_rand(&c->rng) % 32)};
    cJSON_AddItemToObject(ch, "position", cJSON_CreateDoubleArray(pos, 3));
    if (!npc) {
        cJSON *inv = cJSON_AddArrayToObject(o, "inventory");
        static const char *const items[] = {"stone_pickaxe", "dirt", "oak_log", "bread", "iron_ore",
                                            "coal", "torch", "arrow", "wooden_sword", "gold_coin"};
        for (int i = 0; i < 10; i++) {
            cJSON *it = cJSON_CreateObject();
            cJSON_AddStringToObject(it, "item_type", i == 0 || i == 8 ? "tool" : "material");
            cJSON_AddStringToObject(it, "item_name", items[i]);
            cJSON_AddNumberToObject(it, "quantity", 1 + (double)(next_rand(&c->rng) % 64));
            cJSON_AddNumberToObject(it, "slot_position", i);
            cJSON_AddItemToArray(inv, it);
        }
        cJSON *sk = cJSON_AddArrayToObject(o, "skills");
        static const char *const skills[] = {"mining", "swordsmanship", "woodcutting", "trading", "smithing"};
        for (int i = 0; i < 5; i++) {
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "skill_name", skills[i]);
            cJSON_AddNumberToObject(s, "skill_level", 1 + (double)(next_rand(&c->rng) % 10));
            cJSON_AddNumberToObject(s, "experience_points", (double)(next_rand(&c->rng) % 1000));
            cJSON_AddItemToArray(sk, s);
        }
    }
    return o;
}

/* One chunk edit: 1 to 3 blocks of one of the client's chunks, each turned from what the
 * client knows is there to air (digging) or dirt (placing). */
static cJSON *chunk_op(Client *c)
{
    int k = (int)(next_rand(&c->rng) % 4);
    Chunk *ch = c->chunks[k];
    int32_t cx, cy, cz;
    chunk_coords(c, k, &cx, &cy, &cz);
    cJSON *o = op_base("chunk_edit");
    int xyz[3] = {cx, cy, cz};
    cJSON_AddItemToObject(o, "chunk", cJSON_CreateIntArray(xyz, 3));
    cJSON_AddNumberToObject(o, "base_version", ch->version);
    cJSON *blocks = cJSON_AddArrayToObject(o, "blocks");
    int n = 1 + (int)(next_rand(&c->rng) % 3), used[3] = {-1, -1, -1};
    for (int e = 0; e < n; e++) {
        int x, y, z, idx;
        do {
            x = (int)(next_rand(&c->rng) % 16);
            z = (int)(next_rand(&c->rng) % 16);
            y = (int)(next_rand(&c->rng) % 3);
            idx = CHUNK_INDEX(x, y, z);
        } while (idx == used[0] || idx == used[1] || idx == used[2]);
        used[e] = idx;
        BlockId from = chunk_get(ch, x, y, z);
        BlockId to = from == BLOCK_AIR ? (BlockId)blocks_find(g_reg, "dirt") : BLOCK_AIR;
        chunk_set(ch, x, y, z, to);
        cJSON *b = cJSON_CreateObject();
        cJSON_AddNumberToObject(b, "x", x);
        cJSON_AddNumberToObject(b, "y", y);
        cJSON_AddNumberToObject(b, "z", z);
        cJSON_AddStringToObject(b, "from", blocks_get(g_reg, from)->name);
        cJSON_AddStringToObject(b, "to", blocks_get(g_reg, to)->name);
        cJSON_AddItemToArray(blocks, b);
    }
    ch->version++;
    return o;
}

static cJSON *relationship_op(Client *c, long n)
{
    cJSON *o = op_base("relationship");
    char from[80], to[80], id[37];
    snprintf(from, sizeof from, "pc-%s", c->user);
    snprintf(to, sizeof to, "npc%ld-%s", n % VILLAGERS, c->user); /* the villagers take turns */
    cJSON_AddStringToObject(o, "from", from);
    cJSON_AddStringToObject(o, "to", to);
    cJSON *entries = cJSON_AddArrayToObject(o, "entries");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "id", sync_client_new_op_id(id));
    cJSON_AddNumberToObject(e, "turn", (double)n);
    cJSON_AddStringToObject(e, "deed", "gift");
    cJSON_AddNumberToObject(e, "change", (double)(next_rand(&c->rng) % 5) - 1);
    cJSON_AddStringToObject(e, "reason", "a gift of bread");
    cJSON_AddItemToArray(entries, e);
    return o;
}

static cJSON *evolution_op(Client *c)
{
    char id[37];
    cJSON *o = op_base("evolution");
    cJSON_AddStringToObject(o, "entry", sync_client_new_op_id(id));
    cJSON *a = cJSON_AddObjectToObject(o, "agent");
    cJSON_AddStringToObject(a, "name", "world_builder_bench");
    cJSON_AddStringToObject(a, "type", "world_builder");
    cJSON_AddStringToObject(o, "evolution_type", "terrain");
    cJSON *ch = cJSON_AddObjectToObject(o, "changes_made");
    cJSON_AddStringToObject(ch, "what", "a path worn between the well and the smithy");
    cJSON_AddNumberToObject(ch, "blocks", (double)(next_rand(&c->rng) % 40));
    cJSON *r = cJSON_AddObjectToObject(o, "reasoning");
    cJSON_AddStringToObject(r, "why", "players walk there often");
    return o;
}

static cJSON *quest_op(Client *c, long n)
{
    static const char *const titles[] = {"Wolf Trouble", "The Lost Bell", "Bread for the Smith"};
    char id[37], key[80];
    cJSON *o = op_base("quest_progress");
    snprintf(key, sizeof key, "pc-%s", c->user);
    cJSON_AddStringToObject(o, "character", key);
    cJSON *q = cJSON_AddObjectToObject(o, "quest");
    cJSON_AddStringToObject(q, "title", titles[n % 3]);
    cJSON_AddNumberToObject(q, "difficulty_level", 2);
    cJSON_AddStringToObject(o, "status", "active");
    cJSON *pd = cJSON_AddObjectToObject(o, "progress_data");
    cJSON *objs = cJSON_AddArrayToObject(pd, "objectives");
    cJSON *ob = cJSON_CreateObject();
    cJSON_AddStringToObject(ob, "id", "wolves");
    cJSON_AddNumberToObject(ob, "count", (double)(n % 3));
    cJSON_AddNumberToObject(ob, "target", 3);
    cJSON_AddItemToArray(objs, ob);
    if (n % 10 == 0) { /* a quest's history holds its events, not every sync */
        cJSON *h = cJSON_AddArrayToObject(o, "history");
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "id", sync_client_new_op_id(id));
        cJSON_AddStringToObject(e, "event", "wolf slain");
        cJSON_AddItemToArray(h, e);
    }
    return o;
}

/* A realistic batch of n operations: for 50, 44 or 45 chunk edits (digging and building), 3
 * updates of the character (position, pack, skills), one relationship entry with one of the
 * villagers, one quest progress, and one agent log entry (in a shared world only from the
 * owner's game, where the agents run). */
static cJSON *make_batch(Client *c, long round, int *n_chunk, int *n_evo, int *n_rel)
{
    cJSON *ops = cJSON_CreateArray();
    int n = c->cfg->ops;
    /* In a shared world the agents run in one place (the owner's game), not in every client. */
    int chars = n >= 10 ? n / 16 : 0, rels = n >= 10 ? 1 : 0, quest = n >= 10;
    int evo = n >= 10 && (c->cfg->many || c->i == 0) ? 1 : 0;
    int chunks = n - chars - rels - evo - quest;
    *n_chunk = chunks;
    *n_evo = evo;
    *n_rel = rels;
    for (int i = 0; i < chunks; i++)
        cJSON_AddItemToArray(ops, chunk_op(c));
    for (int i = 0; i < chars; i++) {
        cJSON_AddItemToArray(ops, character_op(c, 0));
        c->char_version++;
    }
    for (int i = 0; i < rels; i++)
        cJSON_AddItemToArray(ops, relationship_op(c, round + i));
    for (int i = 0; i < evo; i++)
        cJSON_AddItemToArray(ops, evolution_op(c));
    if (quest)
        cJSON_AddItemToArray(ops, quest_op(c, round));
    return ops;
}

static int setup(Client *c)
{
    Err err = {0};
    SyncClientOptions opt = {.connect_timeout_ms = 10000, .timeout_ms = 60000, .retries = 8, .backoff_ms = 100};
    if (sync_client_new(c->cfg->url, &opt, &c->sc, &err) != MA_OK)
        return note_error(c, "client", err.msg), 1;
    snprintf(c->user, sizeof c->user, "bench-%s-%d", g_run, c->i);
    char pw[] = "bench password 1";
    if (sync_client_register(c->sc, c->user, pw, NULL, &err) != MA_OK)
        return note_error(c, "register", err.msg), 1;
    if (sync_client_login(c->sc, c->user, pw, NULL, &err) != MA_OK)
        return note_error(c, "login", err.msg), 1;
    if (c->cfg->many || c->i == 0) {
        cJSON *w = cJSON_CreateObject();
        char name[64];
        snprintf(name, sizeof name, "bench-%s-%s%d", g_run, c->cfg->many ? "w" : "shared", c->i);
        cJSON_AddStringToObject(w, "name", name);
        cJSON_AddStringToObject(w, "seed", "20261127");
        cJSON_AddStringToObject(w, "world_type", "flat");
        cJSON *s = cJSON_AddObjectToObject(w, "settings");
        cJSON_AddNumberToObject(s, "generator_version", GENERATOR_VERSION);
        int rc = sync_client_create_world(c->sc, w, &c->world, &err);
        cJSON_Delete(w);
        if (rc != MA_OK)
            return note_error(c, "create world", err.msg), 1;
        if (!c->cfg->many)
            g_shared_world = c->world;
    }
    Generator *gen = NULL;
    if (generator_new(g_reg, 20261127, "flat", GENERATOR_VERSION, &gen, &err) != MA_OK)
        return note_error(c, "generator", err.msg), 1;
    for (int k = 0; k < 4; k++) {
        int32_t cx, cy, cz;
        chunk_coords(c, k, &cx, &cy, &cz);
        c->chunks[k] = chunk_new(cx, cy, cz, BLOCK_AIR);
        generator_fill(gen, c->chunks[k]);
        c->chunks[k]->version = 0;
    }
    generator_free(gen);
    return 0;
}

/* After the world is shared: the character and the villagers it will meet. */
static int first_push(Client *c)
{
    Err err = {0};
    cJSON *ops = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(ops, character_op(c, 0));
    for (int v = 0; v < VILLAGERS; v++)
        cJSON_AddItemToArray(ops, character_op(c, v + 1));
    int rc = sync_client_push(c->sc, c->world, ops, &res, NULL, &err);
    cJSON_Delete(ops);
    cJSON_Delete(res);
    c->char_version = 1;
    if (rc != MA_OK)
        return note_error(c, "first push", err.msg), 1;
    return 0;
}

static void *client_main(void *arg)
{
    Client *c = arg;
    const BenchCfg *cfg = c->cfg;
    int bad = setup(c);
    if (bad)
        atomic_fetch_add(&g_setup_errors, 1);
    pthread_barrier_wait(&g_start); /* everyone signed up; the shared world exists */
    if (!cfg->many && c->i == 0 && !bad) {
        Err err = {0};
        for (int j = 1; j < cfg->clients; j++) {
            char name[64];
            snprintf(name, sizeof name, "bench-%s-%d", g_run, j);
            if (sync_client_invite(c->sc, c->world, name, &err) != MA_OK)
                note_error(c, "invite", err.msg);
        }
    }
    pthread_barrier_wait(&g_start);
    if (!cfg->many)
        c->world = g_shared_world;
    if (!bad && first_push(c))
        atomic_fetch_add(&g_setup_errors, 1);
    pthread_barrier_wait(&g_start);
    if (bad || atomic_load(&g_setup_errors))
        return NULL;

    uint64_t end = time_mono_ns() + (uint64_t)cfg->seconds * 1000000000ull;
    sleep_ms(cfg->interval_ms ? (long)(next_rand(&c->rng) % (uint64_t)cfg->interval_ms) : 0);
    for (long round = 0; time_mono_ns() < end; round++) {
        uint64_t t0 = time_mono_ns();
        int n_chunk, n_evo, n_rel;
        cJSON *ops = make_batch(c, round, &n_chunk, &n_evo, &n_rel), *res = NULL;
        Err err = {0};
        int rc = sync_client_push(c->sc, c->world, ops, &res, NULL, &err);
        uint64_t t1 = time_mono_ns();
        if (rc != MA_OK) {
            note_error(c, "push", err.msg);
        } else {
            add_sample(&c->push_ms, &c->n_push, &c->cap_push, (double)(t1 - t0) / 1e6);
            int i = 0;
            const cJSON *r;
            cJSON_ArrayForEach(r, res) {
                const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
                if (cJSON_IsString(st) && strcmp(st->valuestring, "applied") == 0) {
                    c->ops_applied++;
                } else {
                    char *t = cJSON_PrintUnformatted(r);
                    note_error(c, "op not applied", t ? t : "?");
                    free(t);
                }
                i++;
            }
            c->chunk_ops += n_chunk;
            c->evo_ops += n_evo;
            c->rel_entries += n_rel;
        }
        cJSON_Delete(ops);
        cJSON_Delete(res);
        cJSON *changes = NULL;
        int more = 0;
        uint64_t t2 = time_mono_ns();
        /* what changed around the player (and the player's own rows), as the game would pull */
        int32_t cx, cy, cz;
        chunk_coords(c, 0, &cx, &cy, &cz);
        rc = sync_client_pull_near(c->sc, c->world, c->cursor, 200, cx, cz, 3, &changes, &c->cursor, &more, &err);
        uint64_t t3 = time_mono_ns();
        if (rc != MA_OK)
            note_error(c, "pull", err.msg);
        else
            add_sample(&c->pull_ms, &c->n_pull, &c->cap_pull, (double)(t3 - t2) / 1e6);
        cJSON_Delete(changes);
        uint64_t now = time_mono_ns();
        long spent = (long)((now - t0) / 1000000), left = now < end ? (long)((end - now) / 1000000) : 0;
        if (cfg->interval_ms)
            sleep_ms(cfg->interval_ms - spent < left ? cfg->interval_ms - spent : left);
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p)
{
    if (n == 0)
        return 0;
    int k = (int)ceil(p * n) - 1;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* Counts rows for the bench's users and compares with what they were told. */
static int verify(const BenchCfg *cfg, long ops, long chunk_ops, long evo_ops, long rel_entries)
{
    Db db;
    Err err = {0};
    if (db_connect(cfg->database, &db, &err) != MA_OK) {
        printf("verify: %s\n", err.msg);
        return 1;
    }
    char like[64];
    snprintf(like, sizeof like, "bench-%s-%%", g_run);
    const char *p[1] = {like};
    PGresult *r = db_exec(&db, "counting the bench's rows",
                          "WITH w AS (SELECT id FROM worlds WHERE name LIKE $1) SELECT "
                          "(SELECT count(*) FROM sync_ops WHERE world_id IN (SELECT id FROM w)), "
                          "(SELECT COALESCE(sum(version), 0) FROM world_chunks WHERE world_id IN (SELECT id FROM w)), "
                          "(SELECT count(*) FROM world_evolution_log WHERE world_id IN (SELECT id FROM w)), "
                          "(SELECT COALESCE(sum(jsonb_array_length(interaction_history)), 0) FROM character_relationships "
                          "  WHERE world_id IN (SELECT id FROM w))",
                          1, p, &err);
    if (!r) {
        printf("verify: %s\n", err.msg);
        db_disconnect(&db);
        return 1;
    }
    /* The setup pushes count too: the character and its villagers. */
    long want_ops = ops + (1L + VILLAGERS) * cfg->clients;
    long got_ops = atol(PQgetvalue(r, 0, 0)), got_chunk = atol(PQgetvalue(r, 0, 1));
    long got_evo = atol(PQgetvalue(r, 0, 2)), got_rel = atol(PQgetvalue(r, 0, 3));
    PQclear(r);
    db_disconnect(&db);
    int ok = got_ops == want_ops && got_chunk == chunk_ops && got_evo == evo_ops && got_rel == rel_entries;
    printf("verify: %s — applied ops in sync_ops %ld (told %ld), chunk versions %ld (chunk edits %ld), "
           "evolution entries %ld (%ld), relationship entries %ld (%ld)\n",
           ok ? "nothing lost, nothing doubled" : "MISMATCH", got_ops, want_ops, got_chunk, chunk_ops, got_evo, evo_ops,
           got_rel, rel_entries);
    return ok ? 0 : 1;
}

int bench_main(int argc, char **argv)
{
    BenchCfg cfg = {.url = "http://127.0.0.1:8787", .clients = 10, .seconds = 20, .ops = 50, .interval_ms = 5000,
                    .many = 1};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "bench: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--url") == 0)
            cfg.url = v;
        else if (strcmp(a, "--clients") == 0)
            cfg.clients = atoi(v);
        else if (strcmp(a, "--seconds") == 0)
            cfg.seconds = atoi(v);
        else if (strcmp(a, "--ops") == 0)
            cfg.ops = atoi(v);
        else if (strcmp(a, "--interval-ms") == 0)
            cfg.interval_ms = atoi(v);
        else if (strcmp(a, "--worlds") == 0 && (strcmp(v, "one") == 0 || strcmp(v, "many") == 0))
            cfg.many = strcmp(v, "many") == 0;
        else if (strcmp(a, "--database") == 0)
            cfg.database = v;
        else {
            fprintf(stderr, "bench: unknown option %s %s\n", a, v);
            return 2;
        }
        i++;
    }
    if (cfg.clients < 1 || cfg.clients > 10000 || cfg.seconds < 1 || cfg.ops < 1 || cfg.ops > 500 || cfg.interval_ms < 0) {
        fprintf(stderr, "bench: --clients 1..10000, --seconds >= 1, --ops 1..500, --interval-ms >= 0\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    BlockRegistry *reg = NULL;
    Err err = {0};
    if (blocks_load_default(&reg, &err) != MA_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    g_reg = reg;
    snprintf(g_run, sizeof g_run, "%lx%x", (unsigned long)time(NULL), (unsigned)getpid());
    Client *cl = calloc((size_t)cfg.clients, sizeof *cl);
    pthread_t *th = calloc((size_t)cfg.clients, sizeof *th);
    pthread_barrier_init(&g_start, NULL, (unsigned)cfg.clients);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (int i = 0; i < cfg.clients; i++) {
        cl[i].i = i;
        cl[i].cfg = &cfg;
        cl[i].rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)i * 0x100000001B3ull + 1);
        if (pthread_create(&th[i], &attr, client_main, &cl[i]) != 0) {
            fprintf(stderr, "bench: cannot start thread %d\n", i);
            return 1;
        }
    }
    uint64_t t0 = time_mono_ns();
    for (int i = 0; i < cfg.clients; i++)
        pthread_join(th[i], NULL);
    double wall = (double)(time_mono_ns() - t0) / 1e9;
    long pushes = 0, pulls = 0, ops = 0, errors = 0, chunk_ops = 0, evo_ops = 0, rel_entries = 0;
    const char *first = NULL;
    for (int i = 0; i < cfg.clients; i++) {
        pushes += cl[i].n_push;
        pulls += cl[i].n_pull;
        ops += cl[i].ops_applied;
        errors += cl[i].errors;
        chunk_ops += cl[i].chunk_ops;
        evo_ops += cl[i].evo_ops;
        rel_entries += cl[i].rel_entries;
        if (!first && cl[i].first_error[0])
            first = cl[i].first_error;
    }
    double *push = malloc((size_t)(pushes ? pushes : 1) * sizeof *push), *pull = malloc((size_t)(pulls ? pulls : 1) * sizeof *pull);
    long a = 0, b = 0;
    for (int i = 0; i < cfg.clients; i++) {
        memcpy(push + a, cl[i].push_ms, (size_t)cl[i].n_push * sizeof *push);
        memcpy(pull + b, cl[i].pull_ms, (size_t)cl[i].n_pull * sizeof *pull);
        a += cl[i].n_push;
        b += cl[i].n_pull;
    }
    qsort(push, (size_t)pushes, sizeof *push, cmp_double);
    qsort(pull, (size_t)pulls, sizeof *pull, cmp_double);
    double run_s = cfg.seconds;
    printf("clients %d, worlds %s, %d ops a push, every %d ms, %d s: %ld pushes, %ld ops applied = %.0f ops/s; "
           "push p50 %.1f ms p99 %.1f ms max %.1f ms; pull p50 %.1f ms p99 %.1f ms; errors %ld (wall %.1f s)\n",
           cfg.clients, cfg.many ? "many" : "one", cfg.ops, cfg.interval_ms, cfg.seconds, pushes, ops, (double)ops / run_s,
           pct(push, (int)pushes, 0.50), pct(push, (int)pushes, 0.99), pushes ? push[pushes - 1] : 0,
           pct(pull, (int)pulls, 0.50), pct(pull, (int)pulls, 0.99), errors, wall);
    if (first)
        printf("first error: %s\n", first);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("the bench's own cpu: %.1f s (its %d client threads share the machine with the servers)\n",
           (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
           cfg.clients);
    int status = errors || atomic_load(&g_setup_errors) ? 1 : 0;
    if (cfg.database && verify(&cfg, ops, chunk_ops, evo_ops, rel_entries) != 0)
        status = 1;
    for (int i = 0; i < cfg.clients; i++) {
        sync_client_free(cl[i].sc);
        for (int k = 0; k < 4; k++)
            chunk_free(cl[i].chunks[k]);
        free(cl[i].push_ms);
        free(cl[i].pull_ms);
    }
    free(push);
    free(pull);
    free(cl);
    free(th);
    pthread_barrier_destroy(&g_start);
    blocks_free(reg);
    return status;
}
