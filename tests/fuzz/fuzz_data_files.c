/* fuzz_data_files.c — libFuzzer target for the loaders of the game's data
 * files (data/*.json): each loader is given arbitrary bytes as its file.
 *
 * The first byte picks the loader; the rest is the file. Any input must be
 * loaded or refused with a message, never crash, leak or hit undefined
 * behaviour. The corpus (tests/fuzz/fuzz_data_files/) starts from the real
 * files, each behind the byte that picks its loader.
 * Run it with `scripts/fuzz fuzz_data_files SECONDS`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "game/achieve.h"
#include "game/classes.h"
#include "game/crafting.h"
#include "game/creatures.h"
#include "game/items.h"
#include "game/npc.h"
#include "game/progress.h"
#include "game/quest.h"
#include "util/data.h"
#include "world/blocks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { BLOCKS, ITEMS, CLASSES, RECIPES, QUESTS, DIALOGUE, ACHIEVEMENTS, CREATURES, SPELLS, SKILLS, PROGRESSION, LOADERS };

static BlockRegistry *blocks;
static char *skills_text, *progression_text;
static size_t skills_len, progression_len;

static void load_defaults(void)
{
    Err err;
    if (blocks_load_default(&blocks, &err) != MA_OK || !(skills_text = data_read("skills.json", &skills_len, &err)) ||
        !(progression_text = data_read("progression.json", &progression_len, &err)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!blocks)
        load_defaults();
    if (size < 1)
        return 0;
    /* The loaders get NUL-terminated text, as data_read gives them. */
    size_t len = size - 1;
    char *text = malloc(len + 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, len);
    text[len] = '\0';
    Err err;
    switch (data[0] % LOADERS) {
    case BLOCKS: {
        BlockRegistry *r = NULL;
        if (blocks_load(text, len, "fuzz", &r, &err) == MA_OK)
            blocks_free(r);
        break;
    }
    case ITEMS: {
        ItemRegistry *r = NULL;
        if (items_load(text, len, "fuzz", &r, &err) == MA_OK)
            items_free(r);
        break;
    }
    case CLASSES: {
        ClassList l;
        memset(&l, 0, sizeof l);
        if (classes_load(text, len, "fuzz", &l, &err) == MA_OK)
            classes_free(&l);
        break;
    }
    case RECIPES: {
        CraftBook *b = NULL;
        if (crafting_load(text, len, "fuzz", blocks, &b, &err) == MA_OK)
            crafting_free(b);
        break;
    }
    case QUESTS: {
        QuestBook *b = NULL;
        if (quest_book_load(text, len, "fuzz", &b, &err) == MA_OK)
            quest_book_free(b);
        break;
    }
    case DIALOGUE: {
        DialogueBook *b = NULL;
        if (dialogue_load(text, len, "fuzz", &b, &err) == MA_OK)
            dialogue_free(b);
        break;
    }
    case ACHIEVEMENTS: {
        AchieveBook *b = NULL;
        if (achieve_book_load(text, len, "fuzz", &b, &err) == MA_OK)
            achieve_book_free(b);
        break;
    }
    case CREATURES: {
        CreatureBook *b = NULL;
        if (creatures_load(text, len, "fuzz", &b, &err) == MA_OK)
            creatures_free(b);
        break;
    }
    case SPELLS: {
        CreatureBook *b = NULL;
        if (creatures_load_default(&b, &err) != MA_OK)
            abort();
        creatures_load_spells(b, text, len, "fuzz", &err);
        creatures_free(b);
        break;
    }
    case SKILLS: {
        SkillBook *b = NULL;
        if (skillbook_load(text, len, "fuzz", progression_text, progression_len, "progression.json", &b, &err) == MA_OK)
            skillbook_free(b);
        break;
    }
    case PROGRESSION: {
        SkillBook *b = NULL;
        if (skillbook_load(skills_text, skills_len, "skills.json", text, len, "fuzz", &b, &err) == MA_OK)
            skillbook_free(b);
        break;
    }
    }
    free(text);
    return 0;
}
