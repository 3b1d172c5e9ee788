/* screen_sheet.c — the character sheet: stats (with what worn gear adds), level, experience to
 * the next level and unspent stat points. */
#include "screen_sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/progress.h"
#include "screen_lists.h"

/* ------------------------------------------------------------ the character sheet */

int screen_sheet_run(Game *g, Action *out)
{
    CharSheet sh;
    Err err = {0};
    if (progress_sheet(g, &sh, &err) != MA_OK) {
        screen_message("Character", err.msg);
        return 0;
    }
    int stat_of[16]; /* the row's stat (index of progress_stat_names), or -1 */
    for (int i = 0; i < 16; i++)
        stat_of[i] = -1;
    const Player *p = game_player(g);
    const char *const *names = progress_stat_names();
    ListItem items[16];
    memset(items, 0, sizeof items); /* attr 0: drawn plainly */
    int n = 0;
    snprintf(items[n].text, sizeof items[n].text, "%s, %s of level %d", p->name, p->character_class, sh.level);
    snprintf(items[n++].detail, sizeof items[n].detail, "max level %d", sh.max_level);
    if (sh.next_level_at > 0)
        snprintf(items[n].text, sizeof items[n].text, "Experience %lld — %lld more to level %d",
                 (long long)sh.experience, (long long)(sh.next_level_at - sh.experience), sh.level + 1);
    else
        snprintf(items[n].text, sizeof items[n].text, "Experience %lld — the top level", (long long)sh.experience);
    snprintf(items[n++].detail, sizeof items[n].detail, "next at %lld", (long long)sh.next_level_at);
    snprintf(items[n].text, sizeof items[n].text, "Unspent stat points: %d%s", sh.stat_points,
             sh.stat_points > 0 ? "  (Enter on a stat raises it)" : "");
    n++;
    stat_of[n] = 0;
    snprintf(items[n].text, sizeof items[n].text, "Health %d/%d", sh.health, sh.max_health);
    if (sh.gear[0])
        snprintf(items[n].detail, sizeof items[n].detail, "%+d at most, worn", sh.gear[0]);
    n++;
    stat_of[n] = 1;
    snprintf(items[n].text, sizeof items[n].text, "Mana %d/%d", sh.mana, sh.max_mana);
    if (sh.gear[1])
        snprintf(items[n].detail, sizeof items[n].detail, "%+d at most, worn", sh.gear[1]);
    n++;
    /* Each stat as play counts it: the character's own and what worn gear adds. */
    for (int i = 2; i < 7; i++) {
        stat_of[n] = i;
        snprintf(items[n].text, sizeof items[n].text, "%-13s %d", names[i], sh.stats[i] + sh.gear[i]);
        if (sh.gear[i])
            snprintf(items[n].detail, sizeof items[n].detail, "base %d, %+d worn", sh.stats[i], sh.gear[i]);
        else
            snprintf(items[n].detail, sizeof items[n].detail, "base");
        n++;
    }
    snprintf(items[n].text, sizeof items[n].text, "Melee +%d  ranged +%d  spell +%d damage from skills",
             progress_damage_bonus(g, "melee"), progress_damage_bonus(g, "ranged"), progress_damage_bonus(g, "spell"));
    n++;
    snprintf(items[n].text, sizeof items[n].text, "Digging speed x%.2f   prices x%.2f", progress_mining_speed(g),
             progress_price_factor(g));
    items[n++].detail[0] = '\0';
    int spend = sh.stat_points > 0;
    ListSpec spec = {.title = spend ? "Character (Enter: raise a stat)" : "Character", .items = items, .n = n,
                     .selectable = spend, .start = spend ? 3 : 0, .help_ctx = KCTX_LIST, .wrap = 1};
    for (;;) {
        int pick = list_run(&spec);
        if (pick < 0)
            return 0;
        spec.start = pick;
        if (stat_of[pick] < 0)
            continue;
        char q[128];
        snprintf(q, sizeof q, "Spend a stat point on %s?", names[stat_of[pick]]);
        int yes = prompt_yn(q, 0);
        if (yes < 0)
            return 0;
        if (!yes)
            continue;
        memset(out, 0, sizeof *out);
        out->kind = ACT_LEVELUP;
        snprintf(out->arg, sizeof out->arg, "%s", names[stat_of[pick]]);
        return 1;
    }
}

