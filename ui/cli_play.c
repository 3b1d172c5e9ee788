/* cli_play.c — `play --script FILE`: the game without a terminal.
 *
 * Each line of FILE is parsed into an Action and carried out with
 * game_apply, exactly as a key press in the client is; each prints one
 * result line. Used by tests, bots and bug reports. */
#include "cli.h"

#include "launch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agents/agents.h"
#include "agents/agents_llm.h"
#include "autobackup.h"
#include "game/game.h"
#include "game/story.h"
#include "save/worlds.h"

/* The script's actions. A script that is a file is read and checked whole
 * before the save is opened, so a malformed line anywhere changes nothing.
 * Standard input that is a pipe or a terminal is read as it comes (a bot may
 * wait for each result before it writes the next line), but its first
 * action is checked before the save is opened. */
typedef struct Script {
    FILE *in;
    const char *name;
    int lineno;
    int whole;
    Action *acts;
    int *lines;
    int n, next;
} Script;

/* Reads up to the next action: 1 with *a and *lineno set, 0 at the end, -1
 * for a malformed line (the message is printed). */
#define SCRIPT_LINE_MAX 4096 /* characters a line, its end included */

/* One line of in into line (SCRIPT_LINE_MAX + 1 bytes, NUL-terminated): its length, -1 at the
 * end, -2 when it is longer than SCRIPT_LINE_MAX (what is left of it is not read: a stream
 * without line ends, such as /dev/zero, is never held whole). */
static ssize_t script_line(FILE *in, char *line)
{
    size_t n = 0;
    int c = EOF;
    while (n < SCRIPT_LINE_MAX && (c = getc(in)) != EOF) {
        line[n++] = (char)c;
        if (c == '\n')
            break;
    }
    line[n] = '\0';
    if (n == SCRIPT_LINE_MAX && line[n - 1] != '\n')
        return -2;
    return n == 0 && c == EOF ? -1 : (ssize_t)n;
}

static int script_read(Script *sc, Action *a, int *lineno)
{
    static char line[SCRIPT_LINE_MAX + 1];
    ssize_t n;
    int rc = 0;
    Err err = {0};
    while ((n = script_line(sc->in, line)) != -1) {
        sc->lineno++;
        if (sc->lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
            memmove(line, line + 3, (size_t)n - 2); /* a byte-order mark some editors write: not an action */
            n -= 3;
        }
        if (n == -2) {
            fprintf(stderr, "magic-adventure: play: %s line %d is longer than %d characters (a script is one action a line)\n",
                    sc->name, sc->lineno, SCRIPT_LINE_MAX);
            rc = -1;
            break;
        }
        const char *nul = memchr(line, '\0', (size_t)n);
        if (nul) {
            fprintf(stderr, "magic-adventure: play: %s line %d: a NUL byte at column %d (a script is text)\n",
                    sc->name, sc->lineno, (int)(nul - line) + 1);
            rc = -1;
            break;
        }
        int parsed = action_parse(line, a, &err);
        if (parsed == 0)
            continue;
        if (parsed < 0) {
            line[strcspn(line, "\r\n")] = '\0';
            /* The line as it was written, shortened past 80 characters. */
            int cut = strlen(line) > 80;
            if (cut)
                line[80] = '\0';
            fprintf(stderr, "magic-adventure: play: %s line %d: %s: %s%s\n", sc->name, sc->lineno, cli_safe(err.msg),
                    cli_safe(line), cut ? "..." : "");
            rc = -1;
            break;
        }
        *lineno = sc->lineno;
        rc = 1;
        break;
    }
    if (n == -1 && ferror(sc->in)) {
        fprintf(stderr, "magic-adventure: play: cannot read the script %s: %s\n", sc->name, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* Before the save is opened: reads and checks the whole file, or the first
 * action of a pipe. 0, or -1 for a malformed script. */
static int script_check(Script *sc)
{
    struct stat st;
    sc->whole = fstat(fileno(sc->in), &st) == 0 && S_ISREG(st.st_mode);
    for (int cap = 0;;) {
        if (sc->n == cap) {
            cap = cap ? cap * 2 : 64;
            Action *acts = realloc(sc->acts, (size_t)cap * sizeof *acts);
            int *lines = acts ? realloc(sc->lines, (size_t)cap * sizeof *lines) : NULL;
            if (acts)
                sc->acts = acts;
            if (!lines) {
                fprintf(stderr, "magic-adventure: play: out of memory reading %s\n", sc->name);
                return -1;
            }
            sc->lines = lines;
        }
        int rc = script_read(sc, &sc->acts[sc->n], &sc->lines[sc->n]);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return 0;
        sc->n++;
        if (!sc->whole)
            return 0;
    }
}

static int script_next(Script *sc, Action *a, int *lineno)
{
    if (sc->next < sc->n) {
        *a = sc->acts[sc->next];
        *lineno = sc->lines[sc->next++];
        return 1;
    }
    return sc->whole ? 0 : script_read(sc, a, lineno);
}

/* What the LLM session says: a villager's line or a rewrite on standard output (with --verbose, as an
 * event line; with --json, as a line {"llm": KIND, "text": ...}), the rest on standard error. */
typedef struct PlayOut {
    int json, verbose;
} PlayOut;

static void llm_said(AgentsLlmNote kind, const char *text, void *ud)
{
    const PlayOut *o = ud;
    static const char *const kinds[] = {"spoke", "rewrote", "fell_back", "info"};
    if (kind == AGENTS_LLM_SPOKE || kind == AGENTS_LLM_REWROTE) {
        if (o->json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "llm", kinds[kind]);
            cJSON_AddStringToObject(j, "text", text);
            char *line = cJSON_PrintUnformatted(j);
            printf("%s\n", line);
            cJSON_free(line);
            cJSON_Delete(j);
        } else if (o->verbose) {
            printf("  | %s\n", cli_safe(text));
        }
        fflush(stdout);
        return;
    }
    fprintf(stderr, "magic-adventure: llm: %s\n", cli_safe(text));
}

static void print_state_text(Game *g)
{
    const Player *p = game_player(g);
    printf("world: %s\n", cli_safe(p->world_name));
    printf("character: %s (%s, level %d)\n", cli_safe(p->name), cli_safe(p->character_class), p->level);
    printf("position: %d %d %d\n", p->x, p->y, p->z);
    printf("health: %d/%d\n", p->health, p->max_health);
    printf("turns: %lld\n", (long long)game_clock(g));
    printf("hand: %s\n", p->hand[0] ? cli_safe(p->hand) : "(nothing)");
    InventoryRow *rows = NULL;
    int n = 0;
    Err err = {0};
    printf("inventory:");
    if (game_inventory(g, &rows, &n, &err) == MA_OK) {
        for (int i = 0; i < n; i++)
            printf("%s %s x%d", i ? "," : "", cli_safe(rows[i].item_name), rows[i].quantity);
        inventory_list_free(rows, n);
    }
    printf("%s\n", n ? "" : " (empty)");
}

static int cmd_play(CliCtx *ctx)
{
    const char *script = cli_opt(ctx, "script"), *world = cli_opt(ctx, "world");
    const char *character = cli_opt(ctx, "character"), *cls = cli_opt(ctx, "class");
    int json = cli_flag(ctx, "json") > 0, verbose = cli_flag(ctx, "verbose") > 0;
    if (!script)
        return cli_usage_error(ctx, "needs --script FILE (or --script - for standard input); "
                                    "run with no command for the full game");
    /* A name the save cannot hold is refused whole, never shortened (in the middle of a character). */
    if (world && (!*world || strlen(world) > 64))
        return cli_usage_error(ctx, "--world: a world's name is 1 to 64 bytes (this one is %zu)", strlen(world));
    if (character && (!*character || strlen(character) > 64))
        return cli_usage_error(ctx, "--character: a character's name is 1 to 64 bytes (this one is %zu)",
                               strlen(character));
    FILE *in = strcmp(script, "-") == 0 ? stdin : fopen(script, "r");
    struct stat in_st;
    if (in && fstat(fileno(in), &in_st) == 0 && S_ISDIR(in_st.st_mode)) {
        fclose(in);
        errno = EISDIR;
        in = NULL;
    }
    if (!in) {
        fprintf(stderr, "magic-adventure: play: cannot read the script %s: %s\n", script, strerror(errno));
        return CLI_FAIL;
    }
    Script sc = {.in = in, .name = script};
    int checked = script_check(&sc);
    Save *s = checked == 0 ? cli_open_save(ctx, SAVE_CREATE) : NULL;
    if (!s) {
        if (in != stdin)
            fclose(in);
        free(sc.acts);
        free(sc.lines);
        return checked == 0 ? CLI_FAIL : CLI_USAGE;
    }
    Err err = {0};
    Game *g = NULL;
    AgentsLlm *llm = NULL;
    AutoBackup backup;
    Agents *agents = NULL;
    char note[4400];
    GameStart st = {.username = launch_username(), .world = world, .character = character,
                    .class_name = cls, .seed = launch_random_seed()};
    /* --world names the world to play in, made when the save has none of that name. */
    WorldRow known;
    if (world && worlds_get_by_name(s, world, &known, NULL) == MA_OK)
        world_row_clear(&known);
    else if (world)
        st.new_world = 1;
    int status = CLI_OK;
    if (game_start(s, &st, &g, &err) != MA_OK) {
        status = cli_fail(&err);
        goto done;
    }
    autobackup_start(&backup, g, note, sizeof note);
    if (note[0])
        fprintf(stderr, "magic-adventure: %s\n", cli_safe(note));
    /* The living world: the agents run for the time each action takes (MAGIC_AGENTS=off: a still world). */
    if (launch_agents_wanted()) {
        ActionResult away;
        if (agents_attach(g, &agents, &away, &err) != MA_OK) {
            status = cli_fail(&err);
            goto done;
        }
        for (int i = 0; verbose && i < away.n_events; i++)
            printf("  | %s\n", cli_safe(away.events[i].text));
    }
    /* The LLM writes villagers' lines and the agents' texts beside the script, never in its way: answers are
     * taken between actions and, at the end, for a bounded time. */
    PlayOut out = {json, verbose};
    llm = launch_llm_open(g, note, sizeof note);
    if (note[0])
        fprintf(stderr, "magic-adventure: %s\n", cli_safe(note));
    if (agents && llm)
        agents_llm_attach(agents, llm);
    int lineno = 0, more;
    Action a;
    while ((more = script_next(&sc, &a, &lineno)) != 0) {
        if (more < 0) {
            status = CLI_USAGE;
            goto done;
        }
        ActionResult r;
        if (game_apply(g, &a, &r, &err) != MA_OK) {
            fprintf(stderr, "magic-adventure: play: %s line %d: %s\n", script, lineno, cli_safe(err.msg));
            status = CLI_FAIL;
            goto done;
        }
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "line", lineno);
            cJSON_AddStringToObject(o, "result", r.text);
            cJSON_AddNumberToObject(o, "turns", r.turns);
            cJSON *ev = cJSON_AddArrayToObject(o, "events");
            for (int i = 0; i < r.n_events; i++)
                cJSON_AddItemToArray(ev, cJSON_CreateString(r.events[i].text));
            /* The story words also give the passage on screen as data. */
            StoryView v;
            if ((a.kind == ACT_STORY || a.kind == ACT_CHOOSE || a.kind == ACT_STORY_FOCUS) &&
                story_view(g, 0, &v, NULL) == MA_OK)
                cJSON_AddItemToObject(o, "story", story_view_json(&v, 1));
            char *text = cJSON_PrintUnformatted(o);
            printf("%s\n", text);
            cJSON_free(text);
            cJSON_Delete(o);
        } else {
            printf("%s\n", cli_safe(r.text));
            /* --verbose: what happened, as the client's log shows it (a villager's words, replies...). */
            for (int i = 0; verbose && i < r.n_events; i++)
                printf("  | %s\n", cli_safe(r.events[i].text));
        }
        fflush(stdout); /* a bot reading the pipe sees each result as it happens */
        if (llm && a.kind == ACT_TALK && r.ok && agents_llm_talk(llm, g, llm_said, &out, &err) < 0)
            fprintf(stderr, "magic-adventure: llm: %s\n", cli_safe(err.msg));
        if (llm && agents_llm_poll(llm, g, game_clock(g), llm_said, &out, &err) < 0)
            fprintf(stderr, "magic-adventure: llm: %s\n", cli_safe(err.msg));
        if (autobackup_after_action(&backup, g, note, sizeof note) < 0)
            fprintf(stderr, "magic-adventure: %s\n", cli_safe(note));
    }
    if (llm) {
        int left = agents_llm_drain(llm, g, game_clock(g), cli_llm_drain_ms(), llm_said, &out, &err);
        if (left > 0)
            fprintf(stderr, "magic-adventure: llm: %d answer%s not back in time: the game's own words stay\n", left,
                    left == 1 ? "" : "s");
        else if (left < 0)
            fprintf(stderr, "magic-adventure: llm: %s\n", cli_safe(err.msg));
    }
    if (json) {
        cJSON *state = game_state_json(g, &err);
        if (!state) {
            status = cli_fail(&err);
            goto done;
        }
        char *text = cJSON_Print(state);
        printf("%s\n", text);
        cJSON_free(text);
        cJSON_Delete(state);
    } else {
        print_state_text(g);
    }
done:
    if (agents)
        agents_llm_attach(agents, NULL);
    agents_llm_close(llm); /* cancels what is still in flight */
    if (g && autobackup_on_quit(&backup, g, note, sizeof note) < 0)
        fprintf(stderr, "magic-adventure: %s\n", cli_safe(note));
    agents_detach(g, agents);
    game_close(g);
    save_close(s);
    if (in != stdin)
        fclose(in);
    free(sc.acts);
    free(sc.lines);
    return status;
}

const CliCommand cli_cmd_play = {
    "play", "--script FILE [--world NAME] [--character NAME] [--class C] [--json] [--verbose]",
    "play without a terminal: one action a line (move n, dig down, place e planks, wait 3...)", cmd_play, 0,
    {{"script", 's', "FILE", "the actions, one a line (- for standard input)"},
     {"world", 'w', "NAME", "the world to play in (made when new)"},
     {"character", 'c', "NAME", "the character to play (made when new)"},
     {"class", 'k', "C", "a new character's class"},
     {"json", 'j', NULL, "one JSON object a line for what each action did"},
     {"verbose", 'v', NULL, "say more of what happened"}},
    NULL,
};
