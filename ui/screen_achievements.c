/* screen_achievements.c — the user's achievements: points, progress fractions, "???" for the
 * hidden ones not yet earned. */
#include "screen_achievements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/achieve.h"
#include "screen_lists.h"
#include "term.h"

void screen_achievements_run(Game *g)
{
    AchieveView *v = NULL;
    int n = 0, earned = 0;
    int64_t points = 0;
    Err err = {0};
    if (achieve_list(g, &v, &n, &points, &err) != MA_OK) {
        screen_message("Achievements", err.msg);
        return;
    }
    ListItem *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    if (!items) {
        free(v);
        return;
    }
    for (int i = 0; i < n; i++) {
        earned += v[i].earned;
        snprintf(items[i].text, sizeof items[i].text, "%s %s — %s (%d pts)", v[i].earned ? "[x]" : "[ ]", v[i].title,
                 v[i].description, v[i].points);
        if (v[i].earned)
            snprintf(items[i].detail, sizeof items[i].detail, "earned");
        else if (v[i].locked_by[0])
            snprintf(items[i].detail, sizeof items[i].detail, "after %s", v[i].locked_by);
        else if (v[i].need > 0)
            snprintf(items[i].detail, sizeof items[i].detail, "%s %lld/%lld", v[i].counter_label, (long long)v[i].have,
                     (long long)v[i].need);
    }
    char title[96];
    snprintf(title, sizeof title, "Achievements — %lld points, %d of %d earned", (long long)points, earned, n);
    ListSpec spec = {.title = title, .items = items, .n = n, .wrap = 1};
    list_run(&spec);
    free(items);
    free(v);
}

