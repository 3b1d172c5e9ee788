/* screen_skills.c — every skill tree: levels, xp to next, specialisations, what opens next and
 * why a skill is still locked. */
#include "screen_skills.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/progress.h"
#include "screen_lists.h"

/* ------------------------------------------------------------ skills */

/* The choice of a specialisation for s: 1 with *out the action, 0 when the player backs out. */
static int choose_spec(const SkillInfo *s, Action *out)
{
    ListItem items[4];
    memset(items, 0, sizeof items);
    for (int k = 0; k < s->n_specs; k++) {
        snprintf(items[k].text, sizeof items[k].text, "%s", s->spec_name[k]);
        snprintf(items[k].detail, sizeof items[k].detail, "%s", s->spec_about[k]);
    }
    char title[96];
    snprintf(title, sizeof title, "Specialise in %s (once, for good)", s->title);
    ListSpec spec = {.title = title, .items = items, .n = s->n_specs, .selectable = 1, .help_ctx = KCTX_LIST,
                     .wrap = 1};
    int pick = list_run(&spec);
    if (pick < 0)
        return 0;
    char q[160];
    snprintf(q, sizeof q, "Specialise in %s as a %s? It cannot be undone.", s->title, s->spec_name[pick]);
    if (prompt_yn(q, 0) != 1)
        return 0;
    memset(out, 0, sizeof *out);
    out->kind = ACT_SPECIALIZE;
    snprintf(out->arg, sizeof out->arg, "%s", s->name);
    snprintf(out->block, sizeof out->block, "%s", s->spec_name[pick]);
    return 1;
}

int screen_skills_run(Game *g, Action *out)
{
    int n = progress_skill_count(g);
    SkillInfo *info = calloc((size_t)(n > 0 ? n : 1), sizeof *info);
    ListItem *items = calloc((size_t)(2 * n + 1), sizeof *items);
    int chosen = 0;
    if (!info || !items) {
        free(info);
        free(items);
        return 0;
    }
    Err err = {0};
    int m = 0;
    int *map = calloc((size_t)(2 * n + 1), sizeof *map);
    char tree[33] = "";
    for (int i = 0; map && i < n; i++) {
        if (progress_skill_info(g, i, &info[i], &err) != MA_OK) {
            screen_message("Skills", err.msg);
            goto done;
        }
        const SkillInfo *s = &info[i];
        if (strcmp(tree, s->tree) != 0) {
            snprintf(tree, sizeof tree, "%s", s->tree);
            snprintf(items[m].text, sizeof items[m].text, "== %s ==", s->tree_title);
            map[m++] = -1;
        }
        if (s->level > 0)
            snprintf(items[m].text, sizeof items[m].text, "  %-14s level %d/%d", s->title, s->level, s->max_level);
        else if (s->unlocked)
            snprintf(items[m].text, sizeof items[m].text, "  %-14s untrained (use it to learn)", s->title);
        else
            snprintf(items[m].text, sizeof items[m].text, "  %-14s locked: %s", s->title, s->locked_why);
        if (s->level > 0 && s->xp_next > 0)
            snprintf(items[m].detail, sizeof items[m].detail, "%lld/%lld xp", (long long)s->xp, (long long)s->xp_next);
        else if (s->level > 0)
            snprintf(items[m].detail, sizeof items[m].detail, "mastered");
        map[m++] = i;
    }
    ListSpec spec = {.title = "Skills (Enter: details)", .items = items, .n = m, .selectable = 1,
                     .help_ctx = KCTX_LIST, .wrap = 1};
    for (;;) {
        int pick = map ? list_run(&spec) : -1;
        if (pick < 0)
            break;
        spec.start = pick;
        if (map[pick] < 0)
            continue;
        const SkillInfo *s = &info[map[pick]];
        char text[1400], next[200];
        if (s->level == 0)
            snprintf(next, sizeof next, "%s", s->unlocked ? "Use it once to learn it." : s->locked_why);
        else if (s->xp_next > 0)
            snprintf(next, sizeof next, "Level %d in %lld more experience.", s->level + 1,
                     (long long)(s->xp_next - s->xp));
        else
            snprintf(next, sizeof next, "Mastered.");
        char spec_line[300] = "";
        int can_choose = !s->spec[0] && s->spec_at && s->level >= s->spec_at && s->n_specs > 0;
        if (s->spec[0])
            snprintf(spec_line, sizeof spec_line, "Specialisation: %s", s->spec);
        else if (can_choose)
            snprintf(spec_line, sizeof spec_line, "Choose a specialisation now (any key): %s", s->spec_choices);
        else if (s->spec_at)
            snprintf(spec_line, sizeof spec_line, "At level %d choose one: %s", s->spec_at, s->spec_choices);
        snprintf(text, sizeof text, "%s\n\nTree: %s\nLevel: %d of %d\nNext: %s%s%s\nGives now: %s\n%s%s%s%s",
                 s->description, s->tree_title, s->level, s->max_level, next, s->unlocked ? "" : "\nLocked: ",
                 s->unlocked ? "" : s->locked_why, s->effects[0] ? s->effects : "nothing yet",
                 spec_line, spec_line[0] ? "\n" : "", s->opens[0] ? "Opens: " : "", s->opens);
        screen_message(s->title, text);
        if (can_choose && (chosen = choose_spec(s, out)))
            break;
    }
done:
    free(map);
    free(items);
    free(info);
    return chosen;
}

