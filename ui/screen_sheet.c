/* screen_sheet.c — the character sheet, the skills screen and the crafting
 * screen. All three read the core's views (progress_sheet,
 * progress_skill_info, crafting_list) and draw them with the list widget,
 * so they filter and scroll like every other list; nothing here changes
 * the game: crafting returns the choice for the caller to apply. */
#include "screen_sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/crafting.h"
#include "game/progress.h"
#include "screen.h"

static void words(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s", name);
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = ' ';
}

/* ------------------------------------------------------------ the character sheet */

void sheet_run(Game *g)
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
    items[n++].detail[0] = '\0';
    snprintf(items[n].text, sizeof items[n].text, "Health %d/%d", sh.health, sh.max_health);
    items[n++].detail[0] = '\0';
    snprintf(items[n].text, sizeof items[n].text, "Mana %d/%d", sh.mana, sh.max_mana);
    items[n++].detail[0] = '\0';
    /* Equipment bonuses are the inventory module's; base stats are shown
     * until it offers them. */
    for (int i = 2; i < 7; i++) {
        snprintf(items[n].text, sizeof items[n].text, "%-13s %d", names[i], sh.stats[i]);
        snprintf(items[n++].detail, sizeof items[n].detail, "base");
    }
    snprintf(items[n].text, sizeof items[n].text, "Melee +%d  ranged +%d  spell +%d damage from skills",
             progress_damage_bonus(g, "melee"), progress_damage_bonus(g, "ranged"), progress_damage_bonus(g, "spell"));
    items[n++].detail[0] = '\0';
    snprintf(items[n].text, sizeof items[n].text, "Digging speed x%.2f   prices x%.2f", progress_mining_speed(g),
             progress_price_factor(g));
    items[n++].detail[0] = '\0';
    ListSpec spec = {.title = "Character", .items = items, .n = n, .help_ctx = KCTX_LIST, .wrap = 1};
    list_run(&spec);
}

/* ------------------------------------------------------------ skills */

void skills_run(Game *g)
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

/* ------------------------------------------------------------ crafting */

static void craft_details(const CraftView *v, int count, char *text, size_t size)
{
    char result[48], station[96], ing[600] = "";
    words(v->result, result, sizeof result);
    if (!v->station[0]) {
        snprintf(station, sizeof station, "none needed");
    } else {
        char s[48];
        words(v->station, s, sizeof s);
        snprintf(station, sizeof station, "a %s — %s", s, v->station_near ? "one is near" : "none within 2 steps");
    }
    for (int i = 0; i < v->n_ing; i++) {
        char w[96];
        size_t len = strlen(ing);
        crafting_ingredient_words(&v->ing[i], count, w, sizeof w);
        snprintf(ing + len, sizeof ing - len, "  %s\n", w);
    }
    char now[240];
    if (v->blocked[0])
        snprintf(now, sizeof now, "Cannot make it now: %s", v->blocked);
    else
        snprintf(now, sizeof now, "You can make it now (up to %d).", v->can_make);
    snprintf(text, size,
             "Makes: %d %s (%s)%s%s\n\nIngredients for %d:\n%sStation: %s\nLevel needed: %d\nSkill: %s\n"
             "Success chance: %.0f%%\nOn failure: %s\n\n%s",
             v->result_count * count, result, v->result_type, v->description[0] ? "\n" : "", v->description, count,
             ing, station, v->required_level, v->skill[0] ? v->skill : "none", v->chance * 100, v->failure, now);
}

int craft_screen_run(Game *g, char *recipe_out, size_t size, int *count_out)
{
    CraftView *v = NULL;
    int n = 0;
    Err err = {0};
    if (crafting_list(g, &v, &n, &err) != MA_OK) {
        screen_message("Crafting", err.msg);
        return 0;
    }
    ListItem *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    if (!items) {
        free(v);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        char name[72], result[48];
        words(v[i].name, name, sizeof name);
        words(v[i].result, result, sizeof result);
        snprintf(items[i].text, sizeof items[i].text, "%-18s -> %d %s%s", name, v[i].result_count, result,
                 v[i].blocked[0] ? "" : "  (can make)");
        snprintf(items[i].detail, sizeof items[i].detail, "%.0f%%%s%s", v[i].chance * 100, v[i].station[0] ? " at " : "",
                 v[i].station);
    }
    ListSpec spec = {.title = "Crafting: recipes you know (letter picks, / filters)", .items = items, .n = n,
                     .lettered = 1, .selectable = 1, .help_ctx = KCTX_LIST};
    int result = 0;
    for (;;) {
        int pick = list_run(&spec);
        if (pick < 0) {
            result = pick == -2 ? -2 : 0;
            break;
        }
        spec.start = pick;
        char text[1400];
        craft_details(&v[pick], 1, text, sizeof text);
        screen_message(items[pick].text, text);
        if (v[pick].blocked[0])
            continue;
        char answer[8] = "1";
        char question[96];
        snprintf(question, sizeof question, "How many? (1 to %d)", v[pick].can_make);
        int got = prompt_text("Crafting", question, answer, sizeof answer, 0);
        if (got == -2) {
            result = -2;
            break;
        }
        int count = got == 1 ? atoi(answer) : 0;
        if (count < 1)
            continue;
        snprintf(recipe_out, size, "%s", v[pick].name);
        *count_out = count;
        result = 1;
        break;
    }
    free(items);
    free(v);
    return result;
}
