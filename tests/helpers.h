/* helpers.h — shared by the tests: temporary directories, running the
 * built binary, reading and copying files and saves, one-value SQL queries, and
 * the game fixture (a save with a world and a character, started as the game
 * starts it, and actions applied through game_apply). The client in tmux is
 * tests/tmux.h. */
#ifndef MA_TESTS_HELPERS_H
#define MA_TESTS_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/types.h>
#include <cmocka.h>

#include <cJSON.h>

#include "game/game.h"

/* A fresh empty directory under $TMPDIR, removed by th_tmpdir_free. */
char *th_tmpdir(void);
void th_tmpdir_free(char *dir);
/* dir/name in a static rotating buffer. */
const char *th_path(const char *dir, const char *name);

typedef struct RunResult {
    int status; /* exit status, or 128+signal */
    char *out;  /* stdout, heap */
    char *err;  /* stderr, heap */
} RunResult;

/* Runs the magic-adventure binary ($MAGIC_EXE) with the given arguments
 * (NULL-terminated), stdin from /dev/null or from the text `input` if not NULL. */
RunResult th_run(const char *input, const char *arg0, ...);
void th_run_free(RunResult *r);

/* Starts the binary ($MAGIC_EXE) with the given arguments (NULL-terminated), its stdin and
 * stdout each a pipe: *in_fd is the end to write its input to, *out_fd the end to read its
 * output from (both the caller's to close); stderr is the test's. Returns its pid, for kill and
 * waitpid. */
pid_t th_spawn(int *in_fd, int *out_fd, const char *arg0, ...);

/* Writes text (len bytes, or strlen if len < 0) to path. */
void th_write_file(const char *path, const char *text, long len);
/* Reads a whole file (heap). */
char *th_read_file(const char *path, size_t *len);

/* Runs a shell command made with printf (at most 4 KiB); returns system()'s status. */
int th_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sleeps ms milliseconds. */
void th_nap(int ms);

/* Copies the file from to to, removing to's -wal and -shm first (a save copied
 * whole, when nothing has it open). */
void th_copy_file(const char *from, const char *to);

/* A fresh copy of the source tree's data/ at dir/name (for $MAGIC_DATA_DIR);
 * returns its path (static buffer). */
const char *th_data_copy(const char *dir, const char *name);
/* Replaces the first `from` in data/file under data_dir by `to`; fails when absent. */
void th_data_patch(const char *data_dir, const char *file, const char *from, const char *to);

/* The first column of the first row of sql on the SQLite file at path, opened
 * read-only: as an integer (-1 when there is no row), or as text (heap; NULL
 * when there is no row or it is NULL). A statement that does not prepare fails
 * the test. */
int64_t th_sql_int(const char *path, const char *sql);
char *th_sql_text(const char *path, const char *sql);

/* ---- the game fixture ---- */

/* save_open(path, flags), failing the test with the core's message. */
Save *th_save_open(const char *path, int flags);

typedef struct ThGame {
    Save *save;
    Game *game;
} ThGame;

/* What th_game_start makes; a zero field takes the default in brackets. */
typedef struct ThGameOpts {
    const char *world;      /* the world's name ["flatland"] */
    uint64_t seed;          /* [7] */
    const char *type;       /* its generator, for a world the save lacks ["flat"] */
    int no_world;           /* create no world: game_start makes its own */
    const char *username;   /* the local player ["tester"] */
    const char *character;  /* [game_start's default] */
    const char *class_name; /* [game_start's default] */
} ThGameOpts;

/* Opens (creating) the save at path, creates the world unless the save has it
 * already (or o->no_world), and starts the game in it (o may be NULL: every
 * default). Fails the test with the core's message when a step fails. */
void th_game_start(ThGame *g, const char *path, const ThGameOpts *o);
/* Closes the game and the save; both NULL afterwards. */
void th_game_stop(ThGame *g);

/* Parses line as the script mode does and applies it; fails the test when it
 * does not parse or game_apply returns an error (a refusal is a result). */
ActionResult th_act(Game *g, const char *line);
/* How many of item the character holds (every stack of the pack). */
int th_item_count(Game *g, const char *item);
/* The first event whose text contains text, or NULL. */
const char *th_event_with(const ActionResult *r, const char *text);

/* Puts entity e (the world takes it) at world cell (x, y, z) into its chunk
 * and marks the chunk dirty; the caller flushes the world. */
void th_put_entity(World *w, cJSON *e, int32_t x, int32_t y, int32_t z);
/* Removes every creature from the chunks at level y over x0..x1, z0..z1 (world cells), so
 * that a test's walk meets only whom it puts there; the caller flushes the world. */
void th_clear_creatures(World *w, int32_t x0, int32_t x1, int32_t y, int32_t z0, int32_t z1);
/* A creature entity of kind with id and hp (heap, for th_put_entity). */
cJSON *th_creature(const char *kind, const char *id, int hp);
/* A villager entity ("type": "npc"); village may be NULL. */
cJSON *th_villager(const char *id, const char *name, const char *role, const char *village);

/* The meadow, where the tests through the binary play: a save at path with the flat world
 * "meadow" (seed 11) and the player "hero", Mara the farmer one block east of the hero and,
 * with_wood, twelve oak logs in a row to the west and a workbench two west and one south. Fills
 * the hero's position (x, y, z may be NULL). */
void th_make_meadow(const char *path, int with_wood, int32_t *x, int32_t *y, int32_t *z);

#endif
