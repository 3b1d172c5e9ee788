/* screen_craft.c — crafting: the discovered recipes, a recipe's page (ingredients, station,
 * chance, result) and how many to make; the caller applies ACT_CRAFT. */
#include "screen_craft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/crafting.h"
#include "game/inventory.h"
#include "util/text.h"
#include "screen_lists.h"

/* ------------------------------------------------------------ crafting */

static void craft_details(const ItemRegistry *reg, const CraftView *v, int count, char *text, size_t size)
{
    char result[96], station[96], ing[600] = "";
    items_count_words(reg, v->result, v->result_count * count, result, sizeof result);
    if (!v->station[0]) {
        snprintf(station, sizeof station, "none needed");
    } else {
        char s[48];
        text_words(v->station, s, sizeof s);
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
             "Makes: %s (%s)%s%s\n\nIngredients for %d:\n%sStation: %s\nLevel needed: %d\nSkill: %s\n"
             "Success chance: %.0f%%\nOn failure: %s\n\n%s",
             result, v->result_type, v->description[0] ? "\n" : "", v->description, count,
             ing, station, v->required_level, v->skill[0] ? v->skill : "none", v->chance * 100, v->failure, now);
}

int screen_craft_run(Game *g, char *recipe_out, size_t size, int *count_out)
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
        char name[72], result[96];
        text_words(v[i].name, name, sizeof name);
        items_count_words(inventory_items(g), v[i].result, v[i].result_count, result, sizeof result);
        snprintf(items[i].text, sizeof items[i].text, "%-18s -> %s%s", name, result,
                 v[i].blocked[0] ? "" : "  (can make)");
        char station[72];
        text_words(v[i].station, station, sizeof station); /* "alchemy table", not "alchemy_table" */
        snprintf(items[i].detail, sizeof items[i].detail, "%.0f%%%s%s", v[i].chance * 100, v[i].station[0] ? " at " : "",
                 station);
    }
    ListSpec spec = {.title = "Crafting: the recipes you know (new materials in your pack teach more)",
                     .items = items, .n = n,
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
        craft_details(inventory_items(g), &v[pick], 1, text, sizeof text);
        /* The page says which key makes it: Enter; any other goes back to the recipes. */
        int key = screen_message_hint(items[pick].text, text,
                                      v[pick].blocked[0] ? "Press any key: back to the recipes"
                                                         : "Enter: make it   any other key: back to the recipes");
        if (v[pick].blocked[0] || (key != '\n' && key != '\r' && key != KEY_ENTER))
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

