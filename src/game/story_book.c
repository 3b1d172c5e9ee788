/* story_book.c — storyline files: reading, validating, and writing them into a world's
 * rows (see story_book.h; the format is docs/stories.md).
 *
 * Validation is strict and says where: every key is known, every name is a name, the
 * branches form one tree (one root, parents that exist, no cycles, at most
 * STORY_MAX_CHOICES choices a passage, every dead end an ending), conditions and
 * consequences pass the rule language's validator, and what they name (items, blocks,
 * quests, the villagers of the cast) exists. The game reads rows through
 * story_branch_info, which applies the same checks to the row form; story_seed.c writes
 * the files into a world's rows. */
#include "game/story_book.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "game/items.h"
#include "game/quest.h"
#include "game/rules.h"
#include "game/story_internal.h"
#include "util/data.h"
#include "world/blocks.h"
#include "util/text.h"
#include "util/json_field.h"

struct StoryBook {
    cJSON **stories; /* each a validated storyline file */
    char **sources;
    int n, cap;
};

static const char *const story_types[] = {"main", "side", "villager", "place"};
static const char *const start_kinds[] = {"start", "talk", "enter", "quest", "story"};
static const char *const roles[] = {"smith", "farmer", "guard", "priest", "trader"};
static const char *const places[] = {"ruins", "dungeon", "shrine", "village"};
/* The places a {way:KIND} may lead to: not "village", whose nearest is the story's own. */
static const char *const way_places[] = {"ruins", "dungeon", "shrine"};
/* {fields} a text may hold (filled from the world when shown). */
static const char *const text_fields[] = {"character", "class", "village", "villager", "place", "world",
                                          "smith", "farmer", "guard", "priest", "trader"};
/* "@names" a consequence may use for a villager or a place of the story's cast. */
static const char *const anchors[] = {"@smith", "@farmer", "@guard", "@priest", "@trader", "@villager", "@place"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))


static const cJSON *field(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* A name of a-z, 0-9 and _, 1 to 63 characters. */
static int is_id(const char *s)
{
    if (!s || !*s || strlen(s) > 63)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

/* A text of min..max bytes without control characters (newlines allowed in passages). */
static int text_ok(const char *s, size_t min, size_t max, int newlines)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (const char *p = s; *p; p++)
        if (((unsigned char)*p < 0x20 && !(newlines && *p == '\n')) || *p == 0x7f)
            return 0;
    return 1;
}

int story_fields_ok(const char *text, char *bad, size_t size)
{
    for (const char *p = text ? strchr(text, '{') : NULL; p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        char name[32];
        size_t len = end ? (size_t)(end - p - 1) : 0;
        if (!end || len == 0 || len >= sizeof name) {
            snprintf(bad, size, "%.20s", p);
            return 0;
        }
        memcpy(name, p + 1, len);
        name[len] = '\0';
        /* {way:ruins}, {way_back:ruins}: a way in words to or from a kind of place. */
        const char *kind = strncmp(name, "way:", 4) == 0        ? name + 4
                           : strncmp(name, "way_back:", 9) == 0 ? name + 9
                                                                : NULL;
        if (kind ? !text_in_list(kind, way_places, NELEM(way_places))
                 : !text_in_list(name, text_fields, NELEM(text_fields))) {
            snprintf(bad, size, "{%s}", name);
            return 0;
        }
    }
    return 1;
}

/* Refuses keys of o that are not in known (NULL-terminated); names the first. */
static int keys_known(const cJSON *o, const char *const *known, char *why, size_t size)
{
    const cJSON *kv;
    cJSON_ArrayForEach(kv, o) {
        int found = 0;
        for (int i = 0; known[i] && !found; i++)
            found = kv->string && strcmp(kv->string, known[i]) == 0;
        if (!found) {
            size_t o2 = (size_t)snprintf(why, size, "\"%.40s\" is not a field here (known:", kv->string ? kv->string : "?");
            for (int i = 0; known[i] && o2 < size; i++)
                o2 += (size_t)snprintf(why + o2, size - o2, " %s", known[i]);
            if (o2 < size)
                snprintf(why + o2, size - o2, ")");
            return 0;
        }
    }
    return 1;
}

/* ------------------------------------------------------------ names the rules use */

typedef struct RefCheck {
    const StoryRefs *refs;
    char why[300];
} RefCheck;

static int ref_item(RefCheck *c, const char *what, const char *name)
{
    if (!c->refs || !name)
        return 1;
    if ((c->refs->items && items_find(c->refs->items, name)) ||
        (c->refs->blocks && blocks_find(c->refs->blocks, name) > 0))
        return 1;
    if (!c->refs->items)
        return 1;
    snprintf(c->why, sizeof c->why, "%s: there is no item called \"%s\"", what, name);
    return 0;
}

static int ref_block(RefCheck *c, const char *what, const char *name)
{
    if (!c->refs || !c->refs->blocks || !name || blocks_find(c->refs->blocks, name) >= 0)
        return 1;
    snprintf(c->why, sizeof c->why, "%s: there is no block called \"%s\"", what, name);
    return 0;
}

static int ref_quest(RefCheck *c, const char *what, const char *name)
{
    if (!c->refs || !c->refs->quests || !name || quest_book_title(c->refs->quests, name))
        return 1;
    snprintf(c->why, sizeof c->why, "%s: there is no quest called \"%s\"", what, name);
    return 0;
}

static int ref_who(RefCheck *c, const char *what, const char *who)
{
    if (!who || who[0] != '@' || strcmp(who, "@npc") == 0 || text_in_list(who, anchors, NELEM(anchors)))
        return 1;
    snprintf(c->why, sizeof c->why, "%s: \"%s\" is not one of the story's people (@smith, @farmer, @guard, "
             "@priest, @trader, @villager)", what, who);
    return 0;
}

static int refs_condition(RefCheck *c, const cJSON *cond, const char *what)
{
    const cJSON *kv = cJSON_IsObject(cond) ? cond->child : NULL;
    if (!kv)
        return 1;
    const char *k = kv->string;
    const cJSON *it;
    if (strcmp(k, "all") == 0 || strcmp(k, "any") == 0) {
        cJSON_ArrayForEach(it, kv) {
            if (!refs_condition(c, it, what))
                return 0;
        }
        return 1;
    }
    if (strcmp(k, "not") == 0)
        return refs_condition(c, kv, what);
    if (strcmp(k, "item") == 0)
        return ref_item(c, what, json_str(kv, "name"));
    if (strcmp(k, "quest") == 0)
        return ref_quest(c, what, json_str(kv, "name"));
    if (strcmp(k, "relationship") == 0)
        return ref_who(c, what, json_str(kv, "with"));
    return 1;
}

static int refs_effects(RefCheck *c, const cJSON *effects, const char *what, char *bad_field, size_t size)
{
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, effects) {
        const cJSON *kv = it->child;
        const char *k = kv->string;
        char at[160];
        snprintf(at, sizeof at, "%s[%d] (%s)", what, i++, k);
        int ok = 1;
        if (strcmp(k, "give") == 0 || strcmp(k, "take") == 0)
            ok = ref_item(c, at, json_str(kv, "item"));
        else if (strcmp(k, "start_quest") == 0 || strcmp(k, "fail_quest") == 0)
            ok = ref_quest(c, at, kv->valuestring);
        else if (strcmp(k, "advance_quest") == 0)
            ok = ref_quest(c, at, json_str(kv, "quest"));
        else if (strcmp(k, "relationship") == 0)
            ok = ref_who(c, at, json_str(kv, "with"));
        else if (strcmp(k, "leave") == 0 || strcmp(k, "come_home") == 0)
            ok = ref_who(c, at, json_str(kv, "who"));
        else if (strcmp(k, "set_block") == 0) {
            const char *anchor = json_str(kv, "at");
            ok = ref_block(c, at, json_str(kv, "block")) && ref_block(c, at, json_str(kv, "replace"));
            if (ok && anchor && strcmp(anchor, "player") != 0 && !text_in_list(anchor, anchors, NELEM(anchors))) {
                snprintf(c->why, sizeof c->why, "%s: at \"%s\" is not a place of the story (player, @place, "
                         "@smith, @farmer, @guard, @priest, @trader, @villager)", at, anchor);
                ok = 0;
            }
        }
        /* Texts shown to the player may hold {fields} too. */
        const char *text = strcmp(k, "message") == 0 ? kv->valuestring
                         : strcmp(k, "relationship") == 0 ? json_str(kv, "reason") : NULL;
        if (ok && text && !story_fields_ok(text, bad_field, size)) {
            snprintf(c->why, sizeof c->why, "%s: %s is not a field a text can hold", at, bad_field);
            ok = 0;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ the row form */

static int bool_ok(const cJSON *v) { return !v || cJSON_IsBool(v); }

/* Where a message puts a part of a branch: the row's names, or a file's. */
typedef struct Labels {
    const char *condition, *effects, *revise_effects, *revises, *branch;
} Labels;

static const Labels row_labels = {"conditions.condition", "consequences.effects", "consequences.revises.effects",
                                  "consequences.revises", "revises.branch"};
static const Labels file_labels = {"conditions", "consequences", "revises.consequences", "revises", "revises.branch"};

static int branch_info(const cJSON *conditions, const cJSON *consequences, const char *where, const Labels *L,
                       StoryBranchInfo *out, Err *err);

int story_branch_info(const cJSON *conditions, const cJSON *consequences, const char *where, StoryBranchInfo *out,
                      Err *err)
{
    return branch_info(conditions, consequences, where, &row_labels, out, err);
}

static int branch_info(const cJSON *conditions, const cJSON *consequences, const char *where, const Labels *L,
                       StoryBranchInfo *out, Err *err)
{
    static const char *const cond_keys[] = {"condition", "choice", "tag", "hidden", NULL};
    static const char *const cons_keys[] = {"effects", "revises", "ending", "abandon", NULL};
    static const char *const rev_keys[] = {"branch", "effects", "restore_world", "note", NULL};
    memset(out, 0, sizeof out[0]);
    char why[400], sub[400];
    const char *w = where ? where : "a story branch";
    if (conditions && !cJSON_IsObject(conditions))
        return err_set(err, MA_ERR_INVALID, "%s: conditions must be an object", w);
    if (consequences && !cJSON_IsObject(consequences))
        return err_set(err, MA_ERR_INVALID, "%s: consequences must be an object", w);
    if (conditions && !keys_known(conditions, cond_keys, why, sizeof why))
        return err_set(err, MA_ERR_INVALID, "%s: conditions: %s", w, why);
    if (consequences && !keys_known(consequences, cons_keys, why, sizeof why))
        return err_set(err, MA_ERR_INVALID, "%s: consequences: %s", w, why);
    out->condition = field(conditions, "condition");
    snprintf(sub, sizeof sub, "%s: %s", w, L->condition);
    if (rules_validate_condition(out->condition, sub, err) != MA_OK)
        return MA_ERR_INVALID;
    const cJSON *v = field(conditions, "choice");
    out->choice = json_str(conditions, "choice");
    if (v && !text_ok(out->choice, 1, STORY_MAX_CHOICE, 0))
        return err_set(err, MA_ERR_INVALID, "%s: choice must be a text of 1 to %d characters", w, STORY_MAX_CHOICE);
    v = field(conditions, "tag");
    out->tag = json_str(conditions, "tag");
    if (v && !text_ok(out->tag, 0, 60, 0))
        return err_set(err, MA_ERR_INVALID, "%s: tag must be a text of at most 60 characters", w);
    if (!bool_ok(field(conditions, "hidden")) || !bool_ok(field(consequences, "abandon")))
        return err_set(err, MA_ERR_INVALID, "%s: hidden and abandon must be true or false", w);
    out->hidden = cJSON_IsTrue(field(conditions, "hidden"));
    out->abandon = cJSON_IsTrue(field(consequences, "abandon"));
    out->effects = field(consequences, "effects");
    snprintf(sub, sizeof sub, "%s: %s", w, L->effects);
    if (rules_validate_effects(out->effects, sub, err) != MA_OK)
        return MA_ERR_INVALID;
    v = field(consequences, "ending");
    out->ending = json_str(consequences, "ending");
    if (v && !text_ok(out->ending, 1, 128, 0))
        return err_set(err, MA_ERR_INVALID, "%s: ending must be a text of 1 to 128 characters", w);
    if (out->ending && out->abandon)
        return err_set(err, MA_ERR_INVALID, "%s: a branch cannot both end and abandon its story", w);
    const cJSON *rev = field(consequences, "revises");
    if (rev) {
        if (!cJSON_IsObject(rev) || !keys_known(rev, rev_keys, why, sizeof why))
            return err_set(err, MA_ERR_INVALID, "%s: %s: %s", w, L->revises,
                           cJSON_IsObject(rev) ? why : "must be an object with branch, effects, restore_world, note");
        out->revises = json_str(rev, "branch");
        if (!is_id(out->revises))
            return err_set(err, MA_ERR_INVALID, "%s: %s must be the name of an earlier branch", w, L->branch);
        out->revise_effects = field(rev, "effects");
        snprintf(sub, sizeof sub, "%s: %s", w, L->revise_effects);
        if (rules_validate_effects(out->revise_effects, sub, err) != MA_OK)
            return MA_ERR_INVALID;
        if (!bool_ok(field(rev, "restore_world")))
            return err_set(err, MA_ERR_INVALID, "%s: revises.restore_world must be true or false", w);
        out->restore_world = cJSON_IsTrue(field(rev, "restore_world"));
        v = field(rev, "note");
        out->revise_note = json_str(rev, "note");
        if (v && !text_ok(out->revise_note, 1, 200, 0))
            return err_set(err, MA_ERR_INVALID, "%s: revises.note must be a text of 1 to 200 characters", w);
    }
    return MA_OK;
}

/* ------------------------------------------------------------ tags */

/* name with underscores as spaces, the first letter capitalised when cap. */
static void sb_words(TextBuf *sb, const char *name, int cap)
{
    for (const char *p = name ? name : "?"; *p && sb->len + 1 < sb->size; p++) {
        char ch = *p == '_' ? ' ' : *p;
        sb->buf[sb->len++] = p == name && cap ? (char)toupper((unsigned char)ch) : ch;
    }
    sb->buf[sb->len] = '\0';
}

/* What names skills and counts items in a tag (each may be NULL). */
typedef struct TagWords {
    const SkillBook *skills;
    const ItemRegistry *items;
} TagWords;

/* Appends the visible part of condition c; returns 1 when it wrote something. */
static int tag_of(const cJSON *c, const TagWords *tw, TextBuf *sb, int depth)
{
    const cJSON *kv = cJSON_IsObject(c) && depth < 16 ? c->child : NULL;
    if (!kv)
        return 0;
    const char *k = kv->string;
    size_t start = sb->len;
    if (strcmp(k, "all") == 0 || strcmp(k, "any") == 0) {
        int n = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, kv) {
            size_t before = sb->len;
            if (n)
                text_add(sb, "%s", k[1] == 'l' ? ", " : " or ");
            if (tag_of(it, tw, sb, depth + 1))
                n++;
            else {
                sb->len = before;
                sb->buf[before] = '\0';
            }
        }
        return n > 0;
    }
    int lo = json_int(kv, "min", -1), hi = json_int(kv, "max", -1);
    if (strcmp(k, "stat") == 0 || strcmp(k, "skill") == 0 || strcmp(k, "level") == 0) {
        const char *title = k[1] == 'k' && tw->skills ? skillbook_title(tw->skills, json_str(kv, "name")) : NULL;
        if (title)
            text_add(sb, "%s", title);
        else
            sb_words(sb, strcmp(k, "level") == 0 ? "level" : json_str(kv, "name"), 1);
        if (lo >= 0)
            text_add(sb, " %d", lo);
        else
            text_add(sb, " %d or less", hi);
    } else if (strcmp(k, "item") == 0) {
        int count = json_int(kv, "count", 1);
        text_add(sb, "needs: ");
        if (count > 1) {
            char what[96];
            text_add(sb, "%s", items_count_words(tw->items, json_str(kv, "name") ? json_str(kv, "name") : "?", count,
                                                 what, sizeof what));
        } else {
            sb_words(sb, json_str(kv, "name"), 0);
        }
    } else if (strcmp(k, "relationship") == 0) {
        const char *who = json_str(kv, "with");
        if (who && who[0] == '@')
            text_add(sb, "{%s}'s regard", who + 1);
        else
            sb_words(sb, who, 1), text_add(sb, "'s regard");
        if (lo >= 0 || hi < 0)
            text_add(sb, " %d", lo);
        else
            text_add(sb, " %d or less", hi);
    } else if (strcmp(k, "time") == 0) {
        const char *from = json_str(kv, "from"), *to = json_str(kv, "to");
        if (from && to && strcmp(from, "20:00") == 0 && strcmp(to, "06:00") == 0)
            text_add(sb, "at night");
        else
            text_add(sb, "%s-%s", from ? from : "?", to ? to : "?");
    } else if (strcmp(k, "season") == 0) {
        sb_words(sb, cJSON_IsString(kv) ? kv->valuestring : "?", 1);
    } else if (strcmp(k, "place") == 0) {
        /* "near a shrine", "near ruins" (already plural) */
        const char *near = json_str(kv, "near");
        size_t n = near ? strlen(near) : 0;
        if (near && strcmp(near, "@village") == 0) {
            text_add(sb, "near {village}"); /* the story's own village, by its name */
        } else {
            text_add(sb, "%s", n > 1 && near[n - 1] == 's' && near[n - 2] != 's' ? "near " : "near a ");
            sb_words(sb, near, 0);
        }
    } else if (strcmp(k, "achievement") == 0) {
        text_add(sb, "achievement: ");
        sb_words(sb, cJSON_IsString(kv) ? kv->valuestring : "?", 0);
    }
    return sb->len > start;
}

void story_choice_tag(const StoryBranchInfo *info, const SkillBook *skills, const ItemRegistry *items, char *buf,
                      size_t size)
{
    const TagWords tw = {skills, items};
    if (!buf || !size)
        return;
    buf[0] = '\0';
    if (info->tag) {
        snprintf(buf, size, "%s", info->tag);
        return;
    }
    char inner[200] = "";
    TextBuf sb = {inner, sizeof inner, 0};
    if (tag_of(info->condition, &tw, &sb, 0))
        snprintf(buf, size, "[%s]", inner);
}

/* ------------------------------------------------------------ storyline files */

StoryBook *story_book_new(void) { return calloc(1, sizeof(StoryBook)); }

void story_book_free(StoryBook *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++) {
        cJSON_Delete(b->stories[i]);
        free(b->sources[i]);
    }
    free(b->stories);
    free(b->sources);
    free(b);
}

int story_book_count(const StoryBook *b) { return b ? b->n : 0; }
const cJSON *story_book_get(const StoryBook *b, int i) { return b && i >= 0 && i < b->n ? b->stories[i] : NULL; }

const char *story_book_source(const StoryBook *b, int i) { return b && i >= 0 && i < b->n ? b->sources[i] : NULL; }

const cJSON *story_book_find(const StoryBook *b, const char *name)
{
    for (int i = 0; b && name && i < b->n; i++)
        if (strcmp(json_str(b->stories[i], "name"), name) == 0)
            return b->stories[i];
    return NULL;
}

static void copy_item(cJSON *to, const char *to_key, const cJSON *from, const char *from_key)
{
    const cJSON *v = field(from, from_key);
    if (v)
        cJSON_AddItemToObject(to, to_key, cJSON_Duplicate(v, 1));
}

/* The row form of a file branch: what story_branch_info reads (a new tree each). */
cJSON *story_row_conditions(const cJSON *fb)
{
    cJSON *o = cJSON_CreateObject();
    copy_item(o, "condition", fb, "conditions");
    copy_item(o, "choice", fb, "choice");
    copy_item(o, "tag", fb, "tag");
    copy_item(o, "hidden", fb, "hidden");
    return o;
}

cJSON *story_row_consequences(const cJSON *fb)
{
    cJSON *o = cJSON_CreateObject();
    copy_item(o, "effects", fb, "consequences");
    const cJSON *rev = field(fb, "revises");
    if (rev) {
        cJSON *r = cJSON_AddObjectToObject(o, "revises");
        copy_item(r, "branch", rev, "branch");
        copy_item(r, "effects", rev, "consequences");
        copy_item(r, "restore_world", rev, "restore_world");
        copy_item(r, "note", rev, "note");
    }
    copy_item(o, "ending", fb, "ending");
    copy_item(o, "abandon", fb, "abandon");
    return o;
}

#define FAIL(...)                                                                                                 \
    do {                                                                                                          \
        snprintf(why, sizeof why, __VA_ARGS__);                                                                   \
        goto refuse;                                                                                              \
    } while (0)

/* The index of the branch named name, or -1. */
static int branch_index(const cJSON *const *br, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(json_str(br[i], "name"), name) == 0)
            return i;
    return -1;
}

static int validate_branches(const cJSON *list, const char *source, const StoryRefs *refs, Err *err)
{
    static const char *const keys[] = {"name", "parent", "choice", "text", "conditions", "consequences", "tag",
                                       "hidden", "revises", "ending", "abandon", NULL};
    static const char *const rev_keys[] = {"branch", "consequences", "restore_world", "note", NULL};
    char why[600], where[300], bad[64];
    const char *bname = NULL;
    int n = cJSON_GetArraySize(list);
    const cJSON **br = NULL;
    int *parent = NULL, *kids = NULL;
    if (!cJSON_IsArray(list) || n < 1 || n > STORY_MAX_BRANCHES) {
        snprintf(why, sizeof why, "branches must be an array of 1 to %d branches", STORY_MAX_BRANCHES);
        goto refuse;
    }
    br = calloc((size_t)n, sizeof *br);
    parent = calloc((size_t)n, sizeof *parent);
    kids = calloc((size_t)n, sizeof *kids);
    if (!br || !parent || !kids) {
        free(br), free(parent), free(kids);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, list) br[i++] = it;
    RefCheck rc = {.refs = refs};
    for (i = 0; i < n; i++) {
        const cJSON *b = br[i];
        bname = NULL;
        if (!cJSON_IsObject(b))
            FAIL("branch %d must be an object", i);
        bname = json_str(b, "name");
        if (!is_id(bname)) {
            bname = NULL;
            FAIL("branch %d: name must be a name of a-z, 0-9 and _ (1 to 63 characters)", i);
        }
        if (!keys_known(b, keys, why, sizeof why))
            goto refuse;
        if (branch_index(br, i, bname) >= 0)
            FAIL("the name is used by another branch too");
        const char *text = json_str(b, "text");
        if (!text || !text[0])
            FAIL("has no text (the passage the player reads)");
        if (!text_ok(text, 1, STORY_MAX_TEXT, 1))
            FAIL("text must be 1 to %d characters without control characters", STORY_MAX_TEXT);
        const char *texts[] = {text, json_str(b, "choice"), json_str(b, "ending"),
                               json_str(field(b, "revises"), "note"), json_str(b, "tag")};
        for (size_t k = 0; k < NELEM(texts); k++)
            if (texts[k] && !story_fields_ok(texts[k], bad, sizeof bad))
                FAIL("%s is not a field a text can hold (known: {character} {class} {village} {villager} {place} "
                     "{world} {smith} {farmer} {guard} {priest} {trader})", bad);
        const cJSON *p = field(b, "parent");
        if (p && !is_id(json_str(b, "parent")))
            FAIL("parent must be the name of another branch");
        if (!p && (field(b, "choice") || field(b, "conditions") || field(b, "consequences") || field(b, "revises")))
            FAIL("is the root (it has no parent): it is the opening passage and takes no choice, conditions, "
                 "consequences or revises");
        if (p && !json_str(b, "choice"))
            FAIL("has no choice (the text of the choice that leads here)");
        const cJSON *rev = field(b, "revises");
        if (rev && (!cJSON_IsObject(rev) || !keys_known(rev, rev_keys, why, sizeof why))) {
            if (!cJSON_IsObject(rev))
                snprintf(why, sizeof why, "revises must be an object with branch, consequences, restore_world, note");
            goto refuse;
        }
        /* The row form goes through the same checks the game makes on rows. */
        cJSON *conds = story_row_conditions(b), *cons = story_row_consequences(b);
        StoryBranchInfo info;
        snprintf(where, sizeof where, "%s: branch \"%s\"", source, bname);
        Err e = {0};
        int ok = branch_info(conds, cons, where, &file_labels, &info, &e) == MA_OK;
        if (ok)
            ok = refs_condition(&rc, info.condition, "conditions") &&
                 refs_effects(&rc, info.effects, "consequences", bad, sizeof bad) &&
                 refs_effects(&rc, info.revise_effects, "revises.consequences", bad, sizeof bad);
        cJSON_Delete(conds);
        cJSON_Delete(cons);
        if (!ok) {
            if (e.msg[0]) {
                if (err)
                    *err = e;
                free(br), free(parent), free(kids);
                return MA_ERR_INVALID;
            }
            snprintf(why, sizeof why, "%s", rc.why);
            goto refuse;
        }
    }
    /* One tree: one root, parents that exist, no cycles. */
    int root = -1;
    for (i = 0; i < n; i++) {
        bname = json_str(br[i], "name");
        const char *pn = json_str(br[i], "parent");
        parent[i] = pn ? branch_index(br, n, pn) : -1;
        if (pn && parent[i] < 0)
            FAIL("parent \"%s\" is not a branch of this story", pn);
        if (parent[i] == i)
            FAIL("is its own parent (a cycle)");
        if (!pn && root >= 0)
            FAIL("has no parent, and neither has \"%s\": a story has one root", json_str(br[root], "name"));
        if (!pn)
            root = i;
        else
            kids[parent[i]]++;
    }
    bname = NULL;
    if (root < 0)
        FAIL("has no root: one branch (the opening passage) must have no parent");
    for (i = 0; i < n; i++) {
        bname = json_str(br[i], "name");
        int at = i, steps = 0;
        while (at >= 0 && steps <= n) {
            at = parent[at];
            steps++;
        }
        if (at >= 0) {
            size_t o = (size_t)snprintf(why, sizeof why, "its parents lead back to it (a cycle: %s", bname);
            at = parent[i];
            for (int k = 0; k < n && at != i && o < sizeof why; k++, at = parent[at])
                o += (size_t)snprintf(why + o, sizeof why - o, " -> %s", json_str(br[at], "name"));
            if (o < sizeof why)
                snprintf(why + o, sizeof why - o, " -> %s)", bname);
            goto refuse;
        }
        if (kids[i] > STORY_MAX_CHOICES)
            FAIL("has %d choices; at most %d", kids[i], STORY_MAX_CHOICES);
        int ends = field(br[i], "ending") || cJSON_IsTrue(field(br[i], "abandon"));
        if (!kids[i] && !ends)
            FAIL("is a dead end: a branch without choices needs \"ending\" (or \"abandon\": true)");
        if (kids[i] && ends)
            FAIL("has choices, so it cannot end the story");
        const char *revised = json_str(field(br[i], "revises"), "branch");
        if (revised) {
            int r = branch_index(br, n, revised), on_path = 0;
            for (at = parent[i]; at >= 0 && !on_path; at = parent[at])
                on_path = at == r;
            if (!on_path || r == root)
                FAIL("revises \"%s\", which is not an earlier choice on the way to this branch", revised);
        }
    }
    free(br), free(parent), free(kids);
    return MA_OK;
refuse:
    free(br), free(parent), free(kids);
    if (bname)
        return err_set(err, MA_ERR_INVALID, "%s: branch \"%s\": %s", source, bname, why);
    return err_set(err, MA_ERR_INVALID, "%s: %s", source, why);
}

static int validate_story(const cJSON *root, const char *source, const StoryRefs *refs, Err *err)
{
    static const char *const keys[] = {"name", "title", "description", "type", "version", "start", "branches", NULL};
    static const char *const start_keys[] = {"on", "role", "place", "quest", "conditions", NULL};
    char why[600], bad[64], where[300];
    const char *bname = NULL;
    if (!cJSON_IsObject(root))
        FAIL("a storyline file must hold one JSON object");
    if (!keys_known(root, keys, why, sizeof why))
        goto refuse;
    if (!is_id(json_str(root, "name")))
        FAIL("name must be a name of a-z, 0-9 and _ (1 to 63 characters)");
    if (!text_ok(json_str(root, "title"), 1, 60, 0))
        FAIL("title must be 1 to 60 characters");
    if (!text_ok(json_str(root, "description"), 1, 1000, 0))
        FAIL("description must be 1 to 1000 characters");
    if (!story_fields_ok(json_str(root, "description"), bad, sizeof bad))
        FAIL("description: %s is not a field a text can hold", bad);
    if (!text_in_list(json_str(root, "type"), story_types, NELEM(story_types)))
        FAIL("type must be one of main, side, villager, place");
    const cJSON *ver = field(root, "version");
    if (!cJSON_IsNumber(ver) || ver->valuedouble < 1 || ver->valuedouble > 1000000 ||
        ver->valuedouble != (double)(int)ver->valuedouble)
        FAIL("version must be a whole number from 1 (raise it when you change the file)");
    const cJSON *st = field(root, "start");
    if (!cJSON_IsObject(st))
        FAIL("start must be an object such as {\"on\": \"talk\", \"role\": \"smith\"}");
    if (!keys_known(st, start_keys, why, sizeof why)) {
        char inner[600];
        snprintf(inner, sizeof inner, "start: %s", why);
        snprintf(why, sizeof why, "%s", inner);
        goto refuse;
    }
    const char *on = json_str(st, "on");
    if (!text_in_list(on, start_kinds, NELEM(start_kinds)))
        FAIL("start.on must be one of start (when a character begins playing), talk, enter, quest, story");
    if ((strcmp(on, "talk") == 0) != (field(st, "role") != NULL) ||
        (field(st, "role") && !text_in_list(json_str(st, "role"), roles, NELEM(roles))))
        FAIL("start.role (smith, farmer, guard, priest or trader) goes with, and only with, \"on\": \"talk\"");
    if ((strcmp(on, "enter") == 0) != (field(st, "place") != NULL) ||
        (field(st, "place") && !text_in_list(json_str(st, "place"), places, NELEM(places))))
        FAIL("start.place (ruins, dungeon, shrine or village) goes with, and only with, \"on\": \"enter\"");
    if ((strcmp(on, "quest") == 0) != (field(st, "quest") != NULL))
        FAIL("start.quest (the quest whose end begins the story) goes with, and only with, \"on\": \"quest\"");
    RefCheck rc = {.refs = refs};
    if (field(st, "quest") && !ref_quest(&rc, "start.quest", json_str(st, "quest"))) {
        snprintf(why, sizeof why, "%s", rc.why);
        goto refuse;
    }
    snprintf(where, sizeof where, "%s: start.conditions", source);
    if (rules_validate_condition(field(st, "conditions"), where, err) != MA_OK)
        return MA_ERR_INVALID;
    if (!refs_condition(&rc, field(st, "conditions"), "start.conditions")) {
        snprintf(why, sizeof why, "%s", rc.why);
        goto refuse;
    }
    return validate_branches(field(root, "branches"), source, refs, err);
refuse:
    (void)bname;
    return err_set(err, MA_ERR_INVALID, "%s: %s", source, why);
}

int story_book_add(StoryBook *b, const char *json, size_t len, const char *source, const StoryRefs *refs, Err *err)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        int line = 1;
        for (const char *p = json; at && p < at && p < json + len; p++)
            line += *p == '\n';
        return err_set(err, MA_ERR_INVALID, "%s: not valid JSON (near line %d)", source, line);
    }
    int rc = validate_story(root, source, refs, err);
    if (rc != MA_OK) {
        cJSON_Delete(root);
        return rc;
    }
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 8;
        cJSON **s = realloc(b->stories, (size_t)cap * sizeof *s);
        if (s)
            b->stories = s;
        char **src = s ? realloc(b->sources, (size_t)cap * sizeof *src) : NULL;
        if (src)
            b->sources = src;
        if (!s || !src) {
            cJSON_Delete(root);
            return err_set(err, MA_ERR_NOMEM, "out of memory");
        }
        b->cap = cap;
    }
    b->stories[b->n] = root;
    b->sources[b->n] = strdup(source);
    b->n++;
    return MA_OK;
}

static int finish_refs(const StoryBook *b, const cJSON *effects, const char *source, const char *branch, Err *err)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, effects) {
        const cJSON *kv = it->child;
        if (kv && strcmp(kv->string, "start_story") == 0 && !story_book_find(b, kv->valuestring))
            return err_set(err, MA_ERR_INVALID, "%s: branch \"%s\": consequences: start_story: there is no storyline "
                           "called \"%s\"", source, branch, kv->valuestring);
    }
    return MA_OK;
}

int story_book_finish(const StoryBook *b, Err *err)
{
    for (int i = 0; i < b->n; i++) {
        const cJSON *s = b->stories[i];
        for (int j = 0; j < i; j++) {
            if (strcmp(json_str(s, "name"), json_str(b->stories[j], "name")) == 0)
                return err_set(err, MA_ERR_INVALID, "%s: the storyline name \"%s\" is used by %s too", b->sources[i],
                               json_str(s, "name"), b->sources[j]);
            if (strcasecmp(json_str(s, "title"), json_str(b->stories[j], "title")) == 0)
                return err_set(err, MA_ERR_INVALID, "%s: the title \"%s\" is used by %s too", b->sources[i],
                               json_str(s, "title"), b->sources[j]);
        }
        const cJSON *br;
        cJSON_ArrayForEach(br, field(s, "branches")) {
            if (finish_refs(b, field(br, "consequences"), b->sources[i], json_str(br, "name"), err) != MA_OK ||
                finish_refs(b, field(field(br, "revises"), "consequences"), b->sources[i], json_str(br, "name"), err) !=
                    MA_OK)
                return MA_ERR_INVALID;
        }
    }
    return MA_OK;
}

typedef struct StoryParse {
    StoryBook *b;
    const StoryRefs *refs;
} StoryParse;

static int parse_story(const char *text, size_t len, const char *where, void *arg, Err *err)
{
    const StoryParse *sp = arg;
    return story_book_add(sp->b, text, len, where, sp->refs, err);
}

int story_book_load_default(const StoryRefs *refs, StoryBook **out, Err *err)
{
    *out = NULL;
    char **names = NULL;
    int n = 0;
    int rc = data_list("stories", ".json", &names, &n, err);
    if (rc != MA_OK)
        return rc;
    StoryBook *b = story_book_new();
    if (!b) {
        data_list_free(names, n);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    StoryParse sp = {b, refs};
    for (int i = 0; i < n && rc == MA_OK; i++)
        rc = data_book_load(names[i], parse_story, &sp, err);
    if (rc == MA_OK)
        rc = story_book_finish(b, err);
    data_list_free(names, n);
    if (rc != MA_OK) {
        story_book_free(b);
        return data_book_corrupt(rc, err);
    }
    *out = b;
    return MA_OK;
}
