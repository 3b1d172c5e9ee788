/* screen_sheet.c — the character sheet: stats (with what worn gear adds), level, experience to
 * the next level and unspent stat points. */
#include "screen_sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/progress.h"
#include "screen_lists.h"

/* ------------------------------------------------------------ the character sheet */

void screen_sheet_run(Game *g)
{
    CharSheet sh;
    Err err = {0};
    if (progress_sheet(g, &sh, &err) != MA_OK) {
        screen_message("Character", err.msg);
        return;
    }
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
             sh.stat_points > 0 ? "  (levelup STAT raises one)" : "");
    n++;
    snprintf(items[n].text, sizeof items[n].text, "Health %d/%d", sh.health, sh.max_health);
    if (sh.gear[0])
        snprintf(items[n].detail, sizeof items[n].detail, "%+d at most, worn", sh.gear[0]);
    n++;
    snprintf(items[n].text, sizeof items[n].text, "Mana %d/%d", sh.mana, sh.max_mana);
    if (sh.gear[1])
        snprintf(items[n].detail, sizeof items[n].detail, "%+d at most, worn", sh.gear[1]);
    n++;
    /* Each stat as play counts it: the character's own and what worn gear adds. */
    for (int i = 2; i < 7; i++) {
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
    ListSpec spec = {.title = "Character", .items = items, .n = n, .help_ctx = KCTX_LIST, .wrap = 1};
    list_run(&spec);
}

