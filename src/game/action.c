/* action.c — parsing and naming actions. */
#include "game/action.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const dir_names[DIR_COUNT] = {"n", "ne", "e", "se", "s", "sw", "w", "nw", "up", "down"};
static const int dir_dx[8] = {0, 1, 1, 1, 0, -1, -1, -1};
static const int dir_dz[8] = {-1, -1, 0, 1, 1, 1, 0, -1};

Dir dir_parse(const char *word)
{
    static const struct { const char *alias; Dir d; } aliases[] = {
        {"north", DIR_N}, {"south", DIR_S}, {"east", DIR_E}, {"west", DIR_W},
        {"northeast", DIR_NE}, {"northwest", DIR_NW}, {"southeast", DIR_SE}, {"southwest", DIR_SW},
    };
    for (int i = 0; i < DIR_COUNT; i++)
        if (strcmp(word, dir_names[i]) == 0)
            return (Dir)i;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(word, aliases[i].alias) == 0)
            return aliases[i].d;
    return DIR_NONE;
}

const char *dir_name(Dir d) { return d >= 0 && d < DIR_COUNT ? dir_names[d] : "?"; }

void dir_delta(Dir d, int *dx, int *dz)
{
    *dx = d >= DIR_N && d <= DIR_NW ? dir_dx[d] : 0;
    *dz = d >= DIR_N && d <= DIR_NW ? dir_dz[d] : 0;
}

static const char *const kind_names[ACT_COUNT_] = {
    "move", "up", "down", "dig", "place", "wait", "select", "attack", "shoot", "cast", "talk", "say",
    "take", "drop", "equip", "unequip", "use", "craft", "quest", "levelup", "repair", "specialize",
    "quest share", "story", "choose", "story focus", "store", "walk", "rest", "explore"};

const char *action_name(ActionKind k) { return k < ACT_COUNT_ ? kind_names[k] : "?"; }

/* Splits line into at most max words (in place); returns the count, or
 * max + 1 when there are more. */
static int split(char *line, char **words, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
        if (n == max)
            return max + 1;
        words[n++] = w;
    }
    return n;
}

int action_parse(const char *text, Action *out, Err *err)
{
    char line[256];
    if (strlen(text) >= sizeof line)
        return err_set(err, MA_ERR_INVALID, "line too long (at most %zu characters)", sizeof line - 1);
    snprintf(line, sizeof line, "%s", text);
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    /* Keep the text after the action word, for names with spaces ("quest accept The Wolf Pack"). */
    char rest[256] = "";
    {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        while (*p == ' ' || *p == '\t')
            p++;
        snprintf(rest, sizeof rest, "%s", p);
        rest[strcspn(rest, "\r\n")] = '\0';
        for (size_t k = strlen(rest); k > 0 && (rest[k - 1] == ' ' || rest[k - 1] == '\t'); k--)
            rest[k - 1] = '\0';
    }
    char *w[4];
    int n = split(line, w, 3);
    if (n == 0)
        return 0;
    memset(out, 0, sizeof *out);
    out->dir = DIR_NONE;
    out->count = 1;
    for (char *p = w[0]; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    int kind = -1;
    for (int i = 0; i < ACT_COUNT_; i++)
        if (strcmp(w[0], kind_names[i]) == 0)
            kind = i;
    if (kind < 0)
        return err_set(err, MA_ERR_INVALID,
                       "unknown action '%s' (known: move up down dig place wait select attack shoot cast talk say "
                       "take drop store equip unequip use craft quest levelup repair specialize story choose walk rest explore)", w[0]);
    out->kind = (ActionKind)kind;
    switch (out->kind) {
    case ACT_MOVE:
        if (n != 2 || (out->dir = dir_parse(w[1])) == DIR_NONE || out->dir >= DIR_UP)
            return err_set(err, MA_ERR_INVALID, "move takes one direction: n ne e se s sw w nw");
        break;
    case ACT_UP:
    case ACT_DOWN:
        if (n != 1)
            return err_set(err, MA_ERR_INVALID, "%s takes no arguments", w[0]);
        break;
    case ACT_DIG:
        if (n != 2 || (out->dir = dir_parse(w[1])) == DIR_NONE)
            return err_set(err, MA_ERR_INVALID, "dig takes one direction: n ne e se s sw w nw up down");
        break;
    case ACT_PLACE:
        if (n < 2 || n > 3 || (out->dir = dir_parse(w[1])) == DIR_NONE)
            return err_set(err, MA_ERR_INVALID, "place takes a direction (n ne e se s sw w nw up down) and an optional block");
        if (n == 3)
            snprintf(out->block, sizeof out->block, "%s", w[2]);
        break;
    case ACT_WAIT: {
        char *end;
        if (n == 3 && strcmp(w[1], "days") == 0) {
            /* "wait days N": whole game days of 720 turns, for the living world (stops if attacked). */
            long v = strtol(w[2], &end, 10);
            if (*end || v < 1 || v > 30)
                return err_set(err, MA_ERR_INVALID, "wait days takes a number of days from 1 to 30, not '%s'", w[2]);
            out->count = (int)v * 720;
            break;
        }
        if (n > 2)
            return err_set(err, MA_ERR_INVALID, "wait takes a number of turns, or days and a number of days");
        if (n == 2) {
            long v = strtol(w[1], &end, 10);
            if (*end || v < 1 || v > 10000)
                return err_set(err, MA_ERR_INVALID, "wait takes a number of turns from 1 to 10000, not '%s'", w[1]);
            out->count = (int)v;
        }
        break;
    }
    case ACT_SELECT:
        if (n != 2)
            return err_set(err, MA_ERR_INVALID, "select takes the name of an item to hold");
        snprintf(out->block, sizeof out->block, "%s", w[1]);
        break;
    case ACT_ATTACK:
    case ACT_SHOOT:
    case ACT_TALK:
        if (n != 2 || (out->dir = dir_parse(w[1])) == DIR_NONE || out->dir >= DIR_UP)
            return err_set(err, MA_ERR_INVALID, "%s takes one direction: n ne e se s sw w nw", w[0]);
        break;
    case ACT_CAST: /* "cast heal" takes no direction: the spell refuses one it needs */
        if (n == 2)
            out->dir = DIR_NONE;
        else if (n != 3 || (out->dir = dir_parse(w[2])) == DIR_NONE || out->dir >= DIR_UP)
            return err_set(err, MA_ERR_INVALID, "cast takes a spell and a direction: cast firebolt n (cast heal)");
        snprintf(out->arg, sizeof out->arg, "%s", w[1]);
        break;
    case ACT_SAY: {
        char *end;
        long v = n == 2 ? strtol(w[1], &end, 10) : 0;
        if (n != 2 || *end || v < 1 || v > 26)
            return err_set(err, MA_ERR_INVALID, "say takes the number of a reply, from 1");
        out->count = (int)v;
        break;
    }
    case ACT_TAKE: /* take, or take ITEM: that one only */
        if (n > 2)
            return err_set(err, MA_ERR_INVALID, "take takes at most an item: take bread");
        if (n == 2)
            snprintf(out->arg, sizeof out->arg, "%s", w[1]);
        break;
    case ACT_REST:
    case ACT_EXPLORE:
        if (n != 1)
            return err_set(err, MA_ERR_INVALID, "%s takes no arguments", w[0]);
        break;
    case ACT_WALK: {
        if (n == 2 && (strcasecmp(w[1], "village") == 0 || strcasecmp(w[1], "ruins") == 0 ||
                       strcasecmp(w[1], "dungeon") == 0 || strcasecmp(w[1], "shrine") == 0)) {
            snprintf(out->arg, sizeof out->arg, "%s", w[1]); /* the nearest place of that kind */
            for (char *p = out->arg; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            break;
        }
        if (n >= 2 && isupper((unsigned char)w[1][0])) {
            /* A place by its name (names are capitalised): walk Frosthaven, walk Ruins of Briarstead. */
            if (strlen(rest) >= sizeof out->arg)
                return err_set(err, MA_ERR_INVALID, "walk: no place has so long a name");
            snprintf(out->arg, sizeof out->arg, "%s", rest);
            break;
        }
        char *end1 = NULL, *end2 = NULL;
        long x = n == 3 ? strtol(w[1], &end1, 10) : 0, z = n == 3 ? strtol(w[2], &end2, 10) : 0;
        if (n != 3 || *end1 || *end2 || end1 == w[1] || end2 == w[2])
            return err_set(err, MA_ERR_INVALID,
                           "walk takes a cell's x and z (whole numbers), a kind of place or a place's name: walk "
                           "120 -45, walk ruins (village, ruins, dungeon, shrine), walk Frosthaven");
        /* Any cell a 32-bit coordinate names: the walk itself says how far is too far. */
        if (x < INT32_MIN || x > INT32_MAX || z < INT32_MIN || z > INT32_MAX)
            return err_set(err, MA_ERR_INVALID, "walk: %s %s is past the edge of any world", w[1], w[2]);
        out->x = (int32_t)x;
        out->z = (int32_t)z;
        break;
    }
    case ACT_DROP:
    case ACT_STORE:
    case ACT_CRAFT:
        if (n < 2 || n > 3)
            return err_set(err, MA_ERR_INVALID, "%s takes a name and an optional count", w[0]);
        snprintf(out->arg, sizeof out->arg, "%s", w[1]);
        if (n == 3) {
            char *end;
            long v = strtol(w[2], &end, 10);
            if (*end || v < 1 || v > 999)
                return err_set(err, MA_ERR_INVALID, "%s: the count must be a number from 1 to 999, not '%s'", w[0], w[2]);
            out->count = (int)v;
        }
        break;
    case ACT_EQUIP:
    case ACT_UNEQUIP:
    case ACT_USE:
    case ACT_LEVELUP:
    case ACT_REPAIR:
        if (n != 2)
            return err_set(err, MA_ERR_INVALID, "%s takes one name", w[0]);
        snprintf(out->arg, sizeof out->arg, "%s", w[1]);
        break;
    case ACT_SPECIALIZE:
        if (n != 3)
            return err_set(err, MA_ERR_INVALID, "specialize takes a skill and a specialisation: specialize mining prospector");
        snprintf(out->arg, sizeof out->arg, "%s", w[1]);
        snprintf(out->block, sizeof out->block, "%s", w[2]);
        break;
    case ACT_CHOOSE: {
        char *end;
        long v = n == 2 ? strtol(w[1], &end, 10) : 0;
        if (n != 2 || *end || v < 1 || v > 99)
            return err_set(err, MA_ERR_INVALID, "choose takes the number of a choice, from 1 (story shows them)");
        out->count = (int)v;
        break;
    }
    case ACT_STORY: {
        if (n == 1)
            break;
        if (strncmp(rest, "focus", 5) != 0 || (rest[5] != ' ' && rest[5] != '\t'))
            return err_set(err, MA_ERR_INVALID, "story takes nothing (show the passage), or: story focus TITLE");
        const char *title = rest + 6;
        while (*title == ' ' || *title == '\t')
            title++;
        if (!*title || strlen(title) >= sizeof out->arg)
            return err_set(err, MA_ERR_INVALID, "story focus takes the title of one of your stories");
        out->kind = ACT_STORY_FOCUS;
        snprintf(out->arg, sizeof out->arg, "%s", title);
        break;
    }
    case ACT_QUEST_ACCEPT: {
        static const char usage[] = "quest takes: quest accept NAME, or quest share NAME to CHARACTER";
        int share = strncmp(rest, "share", 5) == 0 && (rest[5] == ' ' || rest[5] == '\t');
        if (n < 3 || (!share && (strncmp(rest, "accept", 6) != 0 || (rest[6] != ' ' && rest[6] != '\t'))))
            return err_set(err, MA_ERR_INVALID, usage);
        char *name = rest + (share ? 6 : 7);
        while (*name == ' ' || *name == '\t')
            name++;
        if (share) {
            /* The last " to " splits the quest from the character: names may hold spaces. */
            char *to = NULL;
            for (char *p = strstr(name, " to "); p; p = strstr(p + 1, " to "))
                to = p;
            if (!to || to == name || !to[4])
                return err_set(err, MA_ERR_INVALID, usage);
            *to = '\0';
            char *who = to + 4;
            while (*who == ' ' || *who == '\t')
                who++;
            out->kind = ACT_QUEST_SHARE;
            snprintf(out->target, sizeof out->target, "%s", who);
        }
        snprintf(out->arg, sizeof out->arg, "%s", name);
        break;
    }
    default:
        break;
    }
    return 1;
}
