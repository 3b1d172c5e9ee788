/* classes.h — character classes from data/classes.json: starting stats in
 * the design's stats format, starting skills and gear. */
#ifndef MA_GAME_CLASSES_H
#define MA_GAME_CLASSES_H

#include <cJSON.h>

#include "util/err.h"

typedef struct ClassGear {
    char item[32];
    char type[16];
    int count;
} ClassGear;

typedef struct ClassDef {
    char name[32];
    char title[48];
    char description[160];
    cJSON *stats;   /* owned: the seven numbers of the design */
    cJSON *skills;  /* owned: {"skill": level} */
    ClassGear gear[16];
    int n_gear;
} ClassDef;

typedef struct ClassList {
    ClassDef *classes;
    int n;
    int default_index;
} ClassList;

/* Parses classes JSON; source names the file in messages (file, entry, reason). */
int classes_load(const char *json, size_t len, const char *source, ClassList *out, Err *err);
/* Loads data/classes.json (embedded or $MAGIC_DATA_DIR). */
int classes_load_default(ClassList *out, Err *err);
void classes_free(ClassList *l);
/* Checks what the classes name against the other books: each gear item is in items (and, when
 * items.json gives it a type, of that type) and each skill is in skills. MA_OK, or an error
 * naming classes.json, the class and the reason. */
struct ItemRegistry;
struct SkillBook;
int classes_check_refs(const ClassList *l, const struct ItemRegistry *items, const struct SkillBook *skills,
                       Err *err);
const ClassDef *classes_find(const ClassList *l, const char *name);

#endif
