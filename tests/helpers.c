/* helpers.c — see helpers.h. */
#include "helpers.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "save/worlds.h"
#include "world/blocks.h"

char *th_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = malloc(4096);
    snprintf(tmpl, 4096, "%s/ma-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        fail_msg("mkdtemp failed");
    }
    return tmpl;
}

void th_tmpdir_free(char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
    free(dir);
}

const char *th_path(const char *dir, const char *name)
{
    static char bufs[8][4096];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 4096, "%s/%s", dir, name);
    return b;
}

static char *slurp_fd(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ssize_t got;
    while ((got = read(fd, buf + n, cap - n - 1)) > 0) {
        n += (size_t)got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[n] = '\0';
    return buf;
}

/* argv[64] for $MAGIC_EXE: the binary, then arg0 and the rest of ap up to NULL. Returns the binary. */
static const char *exe_argv(const char **argv, const char *arg0, va_list ap)
{
    const char *exe = getenv("MAGIC_EXE");
    if (!exe)
        fail_msg("MAGIC_EXE is not set (run the tests with meson test)");
    int argc = 0;
    argv[argc++] = exe;
    for (const char *a = arg0; a && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = a;
    argv[argc] = NULL;
    return exe;
}

RunResult th_run(const char *input, const char *arg0, ...)
{
    const char *argv[64];
    va_list ap;
    va_start(ap, arg0);
    const char *exe = exe_argv(argv, arg0, ap);
    va_end(ap);

    char outp[] = "/tmp/ma-out-XXXXXX", errp[] = "/tmp/ma-err-XXXXXX", inp[] = "/tmp/ma-in-XXXXXX";
    int ofd = mkstemp(outp), efd = mkstemp(errp), ifd = mkstemp(inp);
    if (input && write(ifd, input, strlen(input)) < 0)
        fail_msg("write failed");
    lseek(ifd, 0, SEEK_SET);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(ifd, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    RunResult r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    lseek(ofd, 0, SEEK_SET);
    lseek(efd, 0, SEEK_SET);
    r.out = slurp_fd(ofd);
    r.err = slurp_fd(efd);
    close(ofd);
    close(efd);
    close(ifd);
    unlink(outp);
    unlink(errp);
    unlink(inp);
    return r;
}

pid_t th_spawn(int *in_fd, int *out_fd, const char *arg0, ...)
{
    const char *argv[64];
    va_list ap;
    va_start(ap, arg0);
    const char *exe = exe_argv(argv, arg0, ap);
    va_end(ap);
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        fail_msg("pipe failed");
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork failed");
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    *in_fd = in[1];
    *out_fd = out[0];
    return pid;
}

void th_run_free(RunResult *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

void th_write_file(const char *path, const char *text, long len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s", path);
    fwrite(text, 1, len < 0 ? strlen(text) : (size_t)len, f);
    fclose(f);
}

char *th_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

int th_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof cmd)
        fail_msg("shell command too long: %.200s...", cmd);
    return system(cmd);
}

void th_nap(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void th_copy_file(const char *from, const char *to)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm' && cp '%s' '%s'", to, to, to, from, to);
    if (system(cmd) != 0)
        fail_msg("cannot copy %s to %s", from, to);
}

const char *th_data_copy(const char *dir, const char *name)
{
    const char *src = getenv("MAGIC_TEST_DIR");
    if (!src)
        fail_msg("MAGIC_TEST_DIR is not set (run the tests with meson test)");
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s/../data' '%s'", path, src, path);
    if (system(cmd) != 0)
        fail_msg("cannot copy data/ to %s", path);
    return path;
}

void th_data_patch(const char *data_dir, const char *file, const char *from, const char *to)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", data_dir, file);
    char *text = th_read_file(path, NULL);
    if (!text)
        fail_msg("cannot read %s", path);
    char *at = strstr(text, from);
    if (!at)
        fail_msg("%s does not hold \"%s\"", path, from);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    th_write_file(path, out, -1);
    free(out);
    free(text);
}

/* The statement sql on path read-only, stepped once: SQLITE_ROW or SQLITE_DONE. */
static int sql_step(const char *path, const char *sql, sqlite3 **db, sqlite3_stmt **st)
{
    *db = NULL;
    *st = NULL;
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("cannot open %s: %s", path, *db ? sqlite3_errmsg(*db) : "?");
    if (sqlite3_prepare_v2(*db, sql, -1, st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(*db));
    return sqlite3_step(*st);
}

int64_t th_sql_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t v = sql_step(path, sql, &db, &st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

char *th_sql_text(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *out = NULL;
    if (sql_step(path, sql, &db, &st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

/* ---- the game fixture ---- */

Save *th_save_open(const char *path, int flags)
{
    Save *s = NULL;
    Err err = {0};
    if (save_open(path, flags, &s, &err) != MA_OK)
        fail_msg("save_open %s: %s", path, err.msg);
    return s;
}

void th_game_start(ThGame *g, const char *path, const ThGameOpts *o)
{
    static const ThGameOpts defaults = {0};
    if (!o)
        o = &defaults;
    const char *world = o->world ? o->world : "flatland";
    uint64_t seed = o->seed ? o->seed : 7;
    Err err = {0};
    g->game = NULL;
    g->save = th_save_open(path, SAVE_CREATE);
    WorldRow row;
    if (o->no_world) {
        /* game_start makes the world */
    } else if (worlds_get_by_name(g->save, world, &row, NULL) == MA_OK) {
        world_row_clear(&row);
    } else {
        int64_t id;
        if (world_create(g->save, world, seed, o->type ? o->type : "flat", &id, &err) != MA_OK)
            fail_msg("%s", err.msg);
    }
    GameStart st = {.username = o->username ? o->username : "tester",
                    .world = world,
                    .seed = seed,
                    .character = o->character,
                    .class_name = o->class_name};
    if (game_start(g->save, &st, &g->game, &err) != MA_OK)
        fail_msg("%s", err.msg);
}

void th_game_stop(ThGame *g)
{
    game_close(g->game);
    save_close(g->save);
    g->game = NULL;
    g->save = NULL;
}

ActionResult th_act(Game *g, const char *line)
{
    Action a;
    Err err = {0};
    if (action_parse(line, &a, &err) != 1)
        fail_msg("bad action %s: %s", line, err.msg);
    ActionResult r;
    if (game_apply(g, &a, &r, &err) != MA_OK)
        fail_msg("%s: %s", line, err.msg);
    return r;
}

int th_item_count(Game *g, const char *item)
{
    InventoryRow *rows = NULL;
    int n = 0, total = 0;
    Err err = {0};
    if (game_inventory(g, &rows, &n, &err) != MA_OK)
        fail_msg("%s", err.msg);
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].item_name, item) == 0)
            total += rows[i].quantity;
    inventory_list_free(rows, n);
    return total;
}

const char *th_event_with(const ActionResult *r, const char *text)
{
    for (int i = 0; i < r->n_events; i++)
        if (strstr(r->events[i].text, text))
            return r->events[i].text;
    return NULL;
}

void th_put_entity(World *w, cJSON *e, int32_t x, int32_t y, int32_t z)
{
    Err err = {0};
    Chunk *c = world_chunk(w, chunk_coord(x), chunk_coord(y), chunk_coord(z), &err);
    if (!c)
        fail_msg("no chunk at (%d, %d, %d): %s", x, y, z, err.msg);
    cJSON *pos = cJSON_AddArrayToObject(e, "position");
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(x)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(y)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(z)));
    cJSON_AddItemToArray(c->entities, e);
    world_mark_dirty(w, c->cx, c->cy, c->cz);
}

void th_clear_creatures(World *w, int32_t x0, int32_t x1, int32_t y, int32_t z0, int32_t z1)
{
    for (int32_t cx = chunk_coord(x0); cx <= chunk_coord(x1); cx++)
        for (int32_t cz = chunk_coord(z0); cz <= chunk_coord(z1); cz++) {
            Err err = {0};
            Chunk *c = world_chunk(w, cx, chunk_coord(y), cz, &err);
            if (!c)
                fail_msg("no chunk at (%d, %d, %d): %s", cx, chunk_coord(y), cz, err.msg);
            for (int i = cJSON_GetArraySize(c->entities) - 1; i >= 0; i--) {
                const cJSON *type = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(c->entities, i), "type");
                if (cJSON_IsString(type) && strcmp(type->valuestring, "creature") == 0) {
                    cJSON_DeleteItemFromArray(c->entities, i);
                    world_mark_dirty(w, c->cx, c->cy, c->cz);
                }
            }
        }
}

cJSON *th_creature(const char *kind, const char *id, int hp)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "type", "creature");
    cJSON_AddStringToObject(e, "kind", kind);
    cJSON_AddStringToObject(e, "id", id);
    cJSON_AddNumberToObject(e, "hp", hp);
    return e;
}

cJSON *th_villager(const char *id, const char *name, const char *role, const char *village)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "type", "npc");
    cJSON_AddStringToObject(e, "id", id);
    cJSON_AddStringToObject(e, "name", name);
    cJSON_AddStringToObject(e, "role", role);
    if (village)
        cJSON_AddStringToObject(e, "village", village);
    return e;
}

void th_make_meadow(const char *path, int with_wood, int32_t *px, int32_t *py, int32_t *pz)
{
    ThGame f;
    th_game_start(&f, path, &(ThGameOpts){.world = "meadow", .seed = 11, .username = "hero"});
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    if (with_wood) {
        int log = blocks_find(game_blocks(f.game), "oak_log"), bench = blocks_find(game_blocks(f.game), "workbench");
        for (int i = 1; i <= 12; i++)
            if (world_set_block(w, x - i, y, z, (BlockId)log, &err) != MA_OK)
                fail_msg("%s", err.msg);
        if (world_set_block(w, x - 2, y, z + 1, (BlockId)bench, &err) != MA_OK)
            fail_msg("%s", err.msg);
    }
    th_put_entity(w, th_villager("villager_farmer", "Mara", "farmer", NULL), x + 1, y, z);
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    if (px)
        *px = x;
    if (py)
        *py = y;
    if (pz)
        *pz = z;
    th_game_stop(&f);
}
