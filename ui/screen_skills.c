/* screen_skills.c — every skill tree: levels, xp to next, specialisations, what opens next and
 * why a skill is still locked. */
#include "screen_skills.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/progress.h"
#include "screen_lists.h"

/* ------------------------------------------------------------ skills */

void screen_skills_run(Game *g)
{
    int n = progress_skill_count(g);
    SkillInfo *info = calloc((size_t)(n > 0 ? n : 1), sizeof *info);
    ListItem *items = calloc((size_t)(2 * n + 1), sizeof *items);
    if (!info || !items) {
        free(info);
        free(items);
        return;
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
        if (s->spec[0])
            snprintf(spec_line, sizeof spec_line, "Specialisation: %s", s->spec);
        else if (s->spec_at)
            snprintf(spec_line, sizeof spec_line, "At level %d choose (specialize %s NAME): %s", s->spec_at, s->name,
                     s->spec_choices);
        snprintf(text, sizeof text, "%s\n\nTree: %s\nLevel: %d of %d\nNext: %s%s%s\nGives now: %s\n%s%s%s%s",
                 s->description, s->tree_title, s->level, s->max_level, next, s->unlocked ? "" : "\nLocked: ",
                 s->unlocked ? "" : s->locked_why, s->effects[0] ? s->effects : "nothing yet",
                 spec_line, spec_line[0] ? "\n" : "", s->opens[0] ? "Opens: " : "", s->opens);
        screen_message(s->title, text);
    }
done:
    free(map);
    free(items);
    free(info);
}

