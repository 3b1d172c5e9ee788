/* cli_story.c — `magic-adventure story list|path|tree|undo`: the storylines of a world and
 * of a character, read from the save (no game is started), and undoing a character's last
 * choice as one transaction. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/rules.h"
#include "game/story.h"
#include "game/story_book.h"
#include "save/characters.h"
#include "save/stories.h"
#include "save/worlds.h"

typedef struct StoryArgs {
    const char *world, *character, *title;
    int dot;
} StoryArgs;

static const char *sfield(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The options of `story SUB`, parsed by the table below; at most one plain argument (the title). */
static int story_args(CliCtx *ctx, StoryArgs *a)
{
    memset(a, 0, sizeof *a);
    a->world = cli_opt(ctx, "world");
    a->character = cli_opt(ctx, "character");
    a->dot = strcmp(ctx->argv[0], "tree") == 0 && cli_flag(ctx, "dot") > 0;
    a->title = ctx->argc > 1 ? ctx->argv[1] : NULL;
    if (!a->world)
        return cli_usage_error(ctx, "needs --world NAME");
    return CLI_OK;
}

/* The world and (when asked) the character; prints why not. */
static int find(Save *s, const StoryArgs *a, int64_t *world_id, int64_t *character_id)
{
    Err err = {0};
    WorldRow w;
    if (worlds_get_by_name(s, a->world, &w, &err) != MA_OK) {
        fprintf(stderr, "magic-adventure: story: there is no world called '%s' in %s (see `world list`)\n", cli_safe(a->world),
                save_path(s));
        return CLI_FAIL;
    }
    *world_id = w.id;
    world_row_clear(&w);
    if (!character_id)
        return CLI_OK;
    *character_id = 0;
    if (!a->character)
        return CLI_OK;
    CharacterRow c;
    if (characters_get_by_name(s, *world_id, a->character, &c, &err) != MA_OK) {
        fprintf(stderr, "magic-adventure: story: there is no character called '%s' in %s\n", cli_safe(a->character),
                cli_safe(a->world));
        return CLI_FAIL;
    }
    *character_id = c.id;
    character_row_clear(&c);
    return CLI_OK;
}

/* The story named by title (a title in any case, or a data name), or the character's
 * focused one when title is NULL. */
static int find_story(Save *s, int64_t world_id, int64_t character_id, const char *title, StoryRow *out)
{
    Err err = {0};
    if (title) {
        if (stories_find(s, world_id, title, 1, out, &err) == MA_OK || stories_find(s, world_id, title, 0, out, &err) == MA_OK)
            return CLI_OK;
        fprintf(stderr, "magic-adventure: story: there is no story called '%s' in this world (see `story list`)\n",
                cli_safe(title));
        return CLI_FAIL;
    }
    StoryProgressRow *rows = NULL;
    int n = 0;
    int64_t focused = 0;
    if (story_progress_list(s, character_id, &rows, &n, &err) != MA_OK)
        return cli_fail(&err);
    for (int i = 0; i < n; i++)
        if (rows[i].focused)
            focused = rows[i].story_id;
    story_progress_list_free(rows, n);
    if (!focused) {
        fprintf(stderr, "magic-adventure: story: the character has no story in focus; name one (see `story list`)\n");
        return CLI_FAIL;
    }
    if (stories_get(s, focused, out, &err) != MA_OK)
        return cli_fail(&err);
    return CLI_OK;
}

static int story_list(Save *s, const StoryArgs *a)
{
    int64_t world, character;
    int rc = find(s, a, &world, &character);
    if (rc != CLI_OK)
        return rc;
    Err err = {0};
    StoryRow *stories = NULL;
    int ns = 0;
    if (stories_list(s, world, 0, &stories, &ns, &err) != MA_OK)
        return cli_fail(&err);
    int shown = 0;
    for (int i = 0; i < ns && rc == CLI_OK; i++) {
        BranchRow *br = NULL;
        int nb = 0;
        if (branches_list(s, stories[i].id, &br, &nb, &err) != MA_OK) {
            rc = cli_fail(&err);
            break;
        }
        branches_list_free(br, nb);
        if (character) {
            StoryProgressRow p;
            if (story_progress_get(s, character, stories[i].id, &p, NULL) != MA_OK)
                continue;
            BranchRow at;
            char where[160] = "(gone)";
            if (p.current_branch_id > 0 && branches_get(s, p.current_branch_id, &at, NULL) == MA_OK) {
                snprintf(where, sizeof where, "%s", at.branch_name);
                branch_row_clear(&at);
            }
            ChoiceRow *made = NULL;
            int nm = 0;
            choices_list_by_story(s, character, stories[i].id, &made, &nm, NULL);
            choices_list_free(made, nm);
            printf("%s%s (%s): %s at %s, %d choice%s", p.focused ? "* " : "  ", stories[i].title, stories[i].story_type,
                   p.status, where, nm, nm == 1 ? "" : "s");
            if (p.ending[0])
                printf("; ending: %s", p.ending);
            printf("\n");
            story_progress_row_clear(&p);
        } else {
            StoryProgressRow *prog = NULL;
            int np = 0, active = 0, finished = 0, abandoned = 0;
            story_progress_list_by_story(s, stories[i].id, &prog, &np, NULL);
            for (int k = 0; k < np; k++) {
                active += strcmp(prog[k].status, "active") == 0;
                finished += strcmp(prog[k].status, "finished") == 0;
                abandoned += strcmp(prog[k].status, "abandoned") == 0;
            }
            story_progress_list_free(prog, np);
            const cJSON *start = cJSON_GetObjectItemCaseSensitive(stories[i].metadata, "start");
            printf("%s (%s, %d branch%s, starts on %s%s%s): %d active, %d finished, %d abandoned\n", stories[i].title,
                   stories[i].story_type, nb, nb == 1 ? "" : "es", sfield(start, "on") ? sfield(start, "on") : "nothing",
                   sfield(start, "role") || sfield(start, "place") || sfield(start, "quest") ? " " : "",
                   sfield(start, "role") ? sfield(start, "role") : sfield(start, "place") ? sfield(start, "place")
                                          : sfield(start, "quest") ? sfield(start, "quest") : "",
                   active, finished, abandoned);
        }
        shown++;
    }
    if (rc == CLI_OK && !shown)
        printf(character ? "%s has begun no story yet.\n" : "%s has no stories yet (they are written when a game starts there).\n",
               character ? a->character : a->world);
    stories_list_free(stories, ns);
    return rc;
}

static int story_path_cmd(Save *s, const StoryArgs *a)
{
    int64_t world, character;
    int rc = find(s, a, &world, &character);
    if (rc != CLI_OK)
        return rc;
    StoryRow story;
    if ((rc = find_story(s, world, character, a->title, &story)) != CLI_OK)
        return rc;
    Err err = {0};
    BranchRow *path = NULL;
    int n = 0;
    int st = story_path(s, character, story.id, &path, &n, &err);
    if (st == MA_ERR_NOT_FOUND) {
        fprintf(stderr, "magic-adventure: story: %s has not begun %s\n", a->character, story.title);
        story_row_clear(&story);
        return CLI_FAIL;
    }
    story_row_clear(&story);
    if (st != MA_OK)
        return cli_fail(&err);
    for (int i = 0; i < n; i++)
        printf("%s\n", path[i].branch_name);
    branches_list_free(path, n);
    return CLI_OK;
}

/* Whether the character took branch id (made a choice there, or reads it now). */
static int taken(const BranchRow *path, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (path[i].id == id)
            return 1;
    return 0;
}

/* A DOT string: quotes and backslashes escaped, newlines as \n. */
static void dot_text(const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        if (*s == '\n')
            fputs("\\n", stdout);
        else
            putchar(*s);
    }
}

static int story_tree_cmd(Save *s, const StoryArgs *a)
{
    int64_t world, character;
    int rc = find(s, a, &world, &character);
    if (rc != CLI_OK)
        return rc;
    StoryRow story;
    if ((rc = find_story(s, world, character, a->title, &story)) != CLI_OK)
        return rc;
    Err err = {0};
    BranchRow *tree = NULL, *path = NULL;
    int n = 0, np = 0;
    if (branches_tree(s, story.id, &tree, &n, &err) != MA_OK) {
        story_row_clear(&story);
        return cli_fail(&err);
    }
    if (character)
        story_path(s, character, story.id, &path, &np, NULL);
    if (a->dot) {
        printf("digraph \"");
        dot_text(story.title);
        printf("\" {\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontsize=9];\n");
    } else {
        printf("%s (%s)%s\n", story.title, story.story_type, character ? "   * = taken by the character" : "");
    }
    for (int i = 0; i < n; i++) {
        StoryBranchInfo info;
        char where[200], needs[300] = "", does[400] = "", tag[80] = "";
        snprintf(where, sizeof where, "branch \"%s\"", tree[i].branch_name);
        int ok = story_branch_info(tree[i].conditions, tree[i].consequences, where, &info, &err) == MA_OK;
        if (ok) {
            rules_describe_condition(info.condition, needs, sizeof needs);
            rules_describe_effects(info.effects, NULL, does, sizeof does);
            story_choice_tag(&info, NULL, NULL, tag, sizeof tag);
        }
        int mine = taken(path, np, tree[i].id);
        if (a->dot) {
            printf("  b%lld [label=\"", (long long)tree[i].id);
            dot_text(tree[i].branch_name);
            if (needs[0])
                printf("\\nneeds: "), dot_text(needs);
            if (ok && strcmp(does, "nothing") != 0)
                printf("\\ndoes: "), dot_text(does);
            if (ok && info.revises)
                printf("\\nrevises: "), dot_text(info.revises);
            if (ok && info.ending)
                printf("\\nENDING: "), dot_text(info.ending);
            if (ok && info.abandon)
                printf("\\n(abandons the story)");
            if (!ok)
                printf("\\n(malformed)");
            printf("\"%s%s];\n", mine ? ", style=filled, fillcolor=\"#ffe08a\"" : "",
                   ok && (info.ending || info.abandon) ? ", shape=doubleoctagon" : "");
            if (tree[i].parent_branch_id > 0) {
                printf("  b%lld -> b%lld [label=\"", (long long)tree[i].parent_branch_id, (long long)tree[i].id);
                if (tag[0])
                    dot_text(tag), putchar(' ');
                dot_text(ok && info.choice ? info.choice : "");
                printf("\"%s];\n", mine ? ", penwidth=2" : "");
            }
            continue;
        }
        printf("%*s%s %s", tree[i].depth * 2, "", mine ? "*" : "-", tree[i].branch_name);
        if (ok && info.choice)
            printf(": %s%s\"%s\"", tag, tag[0] ? " " : "", info.choice);
        if (needs[0] && !tag[0])
            printf("  [needs %s]", needs);
        if (ok && strcmp(does, "nothing") != 0)
            printf("  -> %s", does);
        if (ok && info.revises)
            printf("  (revises %s)", info.revises);
        if (ok && info.ending)
            printf("  ENDING: %s", info.ending);
        if (ok && info.abandon)
            printf("  (abandons the story)");
        if (!ok)
            printf("  (malformed: %s)", err.msg);
        printf("\n");
    }
    if (a->dot)
        printf("}\n");
    branches_list_free(tree, n);
    branches_list_free(path, np);
    story_row_clear(&story);
    return CLI_OK;
}

static int story_undo_cmd(Save *s, const StoryArgs *a)
{
    int64_t world, character;
    int rc = find(s, a, &world, &character);
    if (rc != CLI_OK)
        return rc;
    Err err = {0};
    StoryUndo u;
    if (save_begin(s, &err) != MA_OK)
        return cli_fail(&err);
    int st = story_undo_last(s, character, &u, &err);
    if (st == MA_OK)
        st = save_commit(s, &err);
    if (st != MA_OK) {
        save_rollback(s);
        if (st == MA_ERR_NOT_FOUND) {
            fprintf(stderr, "magic-adventure: story: %s has made no choice that can be undone\n", a->character);
            return CLI_FAIL;
        }
        return cli_fail(&err);
    }
    printf("undid choice %lld in %s: \"%s\"\n", (long long)u.choice_id, u.story, u.choice);
    printf("restored %d row change%s (%s)\n", u.rows, u.rows == 1 ? "" : "s", u.tables);
    if (u.conflicts)
        printf("%d row%s had changed again since the choice; what the choice changed in %s is put back as it "
               "was before it\n",
               u.conflicts, u.conflicts == 1 ? "" : "s", u.conflicts == 1 ? "it" : "them");
    if (u.missing)
        printf("%d row%s had been deleted since the choice; left deleted\n", u.missing, u.missing == 1 ? "" : "s");
    return CLI_OK;
}

/* Runs `story list|path|tree|undo` (the subcommand's name is ctx->argv[0]). */
static int cmd_story(CliCtx *ctx)
{
    const char *sub = ctx->argv[0];
    int undo = strcmp(sub, "undo") == 0;
    StoryArgs a;
    int rc = story_args(ctx, &a);
    if (rc != CLI_OK)
        return rc;
    if ((undo || strcmp(sub, "path") == 0) && !a.character)
        return cli_usage_error(ctx, "needs --character NAME");
    if (strcmp(sub, "tree") == 0 && !a.title)
        return cli_usage_error(ctx, "needs the TITLE of a story (see `story list`)");
    Save *s = cli_open_save(ctx, undo ? 0 : SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    if (strcmp(sub, "list") == 0)
        rc = story_list(s, &a);
    else if (strcmp(sub, "path") == 0)
        rc = story_path_cmd(s, &a);
    else if (strcmp(sub, "tree") == 0)
        rc = story_tree_cmd(s, &a);
    else
        rc = story_undo_cmd(s, &a);
    save_close(s);
    return rc;
}

#define STORY_CHARACTER(what) {"character", 'c', "NAME", what}
static const CliCommand story_subs[] = {
    {"list", "--world W [--character C]", "the storylines of a world, or of one character", cmd_story, 0,
     {CLI_OPT_WORLD, STORY_CHARACTER("only this character's")}, NULL},
    {"path", "--world W --character C [TITLE]", "the choices a character made, in order", cmd_story, 1,
     {CLI_OPT_WORLD, STORY_CHARACTER("the character")}, NULL},
    {"tree", "--world W TITLE [--character C] [--dot]", "a story's whole tree (text, or Graphviz with --dot)",
     cmd_story, 1, {CLI_OPT_WORLD, STORY_CHARACTER("mark this character's path"), {"dot", 'd', NULL, "as Graphviz"}},
     NULL},
    {"undo", "--world W --character C", "undo the character's last choice", cmd_story, 0,
     {CLI_OPT_WORLD, STORY_CHARACTER("the character")}, NULL},
    {NULL, NULL, NULL, NULL, 0, {{0}}, NULL},
};
const CliCommand cli_cmd_story = {
    "story", NULL,
    "the storylines of a world or a character, the path taken, the whole tree (text or Graphviz), undo the last choice",
    NULL, 0, {{0}}, story_subs,
};
