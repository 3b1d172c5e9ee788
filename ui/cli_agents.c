/* cli_agents.c — the living world from the command line: `agents list|run`,
 * `evolution log|show|rollback|diff`, `events`. Each opens the save, the
 * world and the agents through the core (src/agents/) and prints what they
 * return; a command that changes the world is one transaction (or one per
 * agent and tick, for `agents run`). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "agents/agents.h"
#include "agents/evolution.h"
#include "game/calendar.h"
#include "save/agents.h"
#include "save/events.h"
#include "save/worlds.h"
#include "world/blocks.h"
#include "world/world.h"

typedef struct Living {
    Save *save;
    BlockRegistry *reg;
    World *world;
    int64_t clock;
} Living;

static void living_close(Living *l)
{
    world_close(l->world);
    save_close(l->save);
    blocks_free(l->reg);
    memset(l, 0, sizeof *l);
}

static int64_t clock_of(const WorldRow *w)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(w->metadata, "clock");
    return cJSON_IsNumber(c) ? (int64_t)c->valuedouble : 0;
}

/* Opens the save and the world `name`; prints why not and returns CLI_FAIL. */
static int living_open(const CliCtx *ctx, const char *name, int flags, Living *l)
{
    Err err = {0};
    memset(l, 0, sizeof *l);
    l->save = cli_open_save(ctx, flags);
    if (!l->save)
        return CLI_FAIL;
    WorldRow row;
    if (worlds_get_by_name(l->save, name, &row, &err) != MA_OK) {
        if (err.code == MA_ERR_NOT_FOUND)
            fprintf(stderr, "magic-adventure: %s: there is no world named '%s' (`world list` shows them)\n",
                    ctx->save_path, cli_safe(name));
        else
            cli_fail(&err);
        living_close(l);
        return CLI_FAIL;
    }
    l->clock = clock_of(&row);
    world_row_clear(&row);
    if (blocks_load_default(&l->reg, &err) != MA_OK ||
        world_open(l->save, l->reg, name, 0, 0, &l->world, &err) != MA_OK) {
        cli_fail(&err);
        living_close(l);
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* ------------------------------------------------------------ agents */

static void print_report(AgentType who, int64_t entry_id, const char *type, const char *line, void *ud)
{
    (void)ud, (void)type;
    if (entry_id > 0)
        printf("  #%-6lld %-18s %s\n", (long long)entry_id, agent_type_name(who), cli_safe(line));
    else
        printf("  %s\n", cli_safe(line));
}

static int agents_run_cmd(CliCtx *ctx)
{
    const char *world = cli_opt(ctx, "world"), *agent = cli_opt(ctx, "agent");
    long long days = 1;
    int mask = -1;
    if (cli_opt_int(ctx, "days", 1, 3650, &days) == CLI_USAGE)
        return CLI_USAGE;
    if (agent) {
        int t = agent_type_parse(agent);
        if (t < 0)
            return cli_usage_error(ctx, "there is no agent '%s' (story_weaver, world_builder, character_master, "
                                        "quest_generator, event_coordinator, balance_keeper)", agent);
        mask = 1 << t;
    }
    if (!world)
        return cli_usage_error(ctx, "needs --world NAME");
    Living l;
    if (living_open(ctx, world, 0, &l) != CLI_OK)
        return CLI_FAIL;
    Err err = {0};
    Agents *a = NULL;
    int rc = agents_open(l.save, l.world, &a, &err);
    int64_t target = l.clock + days * TURNS_PER_DAY;
    char from[48], to[48];
    calendar_date(l.clock, from, sizeof from);
    calendar_date(target, to, sizeof to);
    if (rc == MA_OK) {
        printf("%s: %s to %s\n", cli_safe(world), from, to);
        rc = agents_advance(a, target, mask, (int)(days + 1) * 3, print_report, NULL, &err);
    }
    /* The world's clock moves on with the agents: one transaction. */
    if (rc >= 0 && mask == -1 && (rc = save_begin(l.save, &err)) == MA_OK) {
        rc = worlds_set_clock(l.save, world_id(l.world), target, &err);
        rc = rc == MA_OK ? save_commit(l.save, &err) : (save_rollback(l.save), rc);
    }
    agents_close(a);
    living_close(&l);
    if (rc < 0)
        return cli_fail(&err);
    return CLI_OK;
}

static int agents_list_cmd(CliCtx *ctx)
{
    const char *world = cli_opt(ctx, "world");
    if (!world)
        return cli_usage_error(ctx, "needs --world NAME");
    Living l;
    if (living_open(ctx, world, 0, &l) != CLI_OK)
        return CLI_FAIL;
    Err err = {0};
    Agents *a = NULL;
    int rc = agents_open(l.save, l.world, &a, &err);
    AgentRow *rows = NULL;
    int n = 0;
    if (rc == MA_OK)
        rc = agents_list(l.save, 0, &rows, &n, &err);
    if (rc == MA_OK) {
        char suffix[32];
        snprintf(suffix, sizeof suffix, "@%lld", (long long)world_id(l.world));
        printf("%-18s %-7s %-26s %s\n", "agent", "active", "last activity (game time)", "state");
        for (int i = 0; i < n; i++) {
            const char *at = strstr(rows[i].agent_name, suffix);
            if (!at || at[strlen(suffix)] != '\0')
                continue;
            char when[48] = "never";
            if (rows[i].last_activity[0]) {
                int64_t t = calendar_turn_of_iso(rows[i].last_activity);
                calendar_date(t, when, sizeof when);
            }
            char *state = cJSON_PrintUnformatted(rows[i].current_state);
            printf("%-18s %-7s %-26s %.120s\n", rows[i].agent_type, rows[i].is_active ? "yes" : "no", when,
                   state ? cli_safe(state) : "");
            cJSON_free(state);
        }
        agents_list_free(rows, n);
    }
    agents_close(a);
    living_close(&l);
    return rc == MA_OK ? CLI_OK : cli_fail(&err);
}

/* ------------------------------------------------------------ evolution */

static const char *agent_of(Save *s, int64_t id, char *buf, size_t size)
{
    AgentRow a;
    snprintf(buf, size, "%s", id ? "?" : "-");
    if (id && agents_get(s, id, &a, NULL) == MA_OK) {
        snprintf(buf, size, "%s", a.agent_type);
        agent_row_clear(&a);
    }
    return buf;
}

static const char *reason_line(const cJSON *r, char *buf, size_t size)
{
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(r, "why");
    const cJSON *saw = cJSON_GetObjectItemCaseSensitive(r, "saw");
    snprintf(buf, size, "%s%s%s", cJSON_IsString(saw) ? saw->valuestring : "", cJSON_IsString(saw) && cJSON_IsString(why) ? ": " : "",
             cJSON_IsString(why) ? why->valuestring : "");
    return buf;
}

static int evolution_log_cmd(CliCtx *ctx)
{
    const char *world = cli_opt(ctx, "world"), *agent = cli_opt(ctx, "agent");
    int json = cli_flag(ctx, "json") > 0, filter = -1;
    if (agent && (filter = agent_type_parse(agent)) < 0)
        return cli_usage_error(ctx, "there is no agent '%s'", agent);
    if (!world)
        return cli_usage_error(ctx, "needs --world NAME");
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    WorldRow w;
    int rc = worlds_get_by_name(s, world, &w, &err);
    EvolutionRow *rows = NULL;
    int n = 0;
    if (rc == MA_OK) {
        rc = evolution_list(s, w.id, 0, &rows, &n, &err);
        world_row_clear(&w);
    }
    cJSON *out = json ? cJSON_CreateArray() : NULL;
    for (int i = 0; rc == MA_OK && i < n; i++) {
        char who[40], when[48], why[300];
        agent_of(s, rows[i].agent_id, who, sizeof who);
        if (filter >= 0 && strcmp(who, agent_type_name((AgentType)filter)) != 0)
            continue;
        calendar_date(calendar_turn_of_iso(rows[i].applied_at), when, sizeof when);
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(rows[i].changes_made, "summary");
        const char *summary = cJSON_IsString(sum) ? sum->valuestring : rows[i].evolution_type;
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "id", (double)rows[i].id);
            cJSON_AddStringToObject(o, "game_time", rows[i].applied_at);
            cJSON_AddStringToObject(o, "date", when);
            cJSON_AddStringToObject(o, "agent", who);
            cJSON_AddStringToObject(o, "type", rows[i].evolution_type);
            cJSON_AddStringToObject(o, "summary", summary);
            cJSON_AddItemToObject(o, "reasoning", cJSON_Duplicate(rows[i].reasoning, 1));
            cJSON_AddBoolToObject(o, "active", rows[i].is_active);
            cJSON_AddItemToArray(out, o);
        } else {
            printf("#%-6lld %-22s %-18s %-9s %s%s\n", (long long)rows[i].id, when, who, rows[i].evolution_type,
                   rows[i].is_active ? "" : "(rolled back) ", cli_safe(summary));
            reason_line(rows[i].reasoning, why, sizeof why);
            if (why[0])
                printf("        why: %s\n", cli_safe(why));
        }
    }
    if (json && rc == MA_OK) {
        char *text = cJSON_Print(out);
        printf("%s\n", text);
        cJSON_free(text);
    }
    cJSON_Delete(out);
    evolution_list_free(rows, n);
    save_close(s);
    return rc == MA_OK ? CLI_OK : cli_fail(&err);
}

/* One JSON value on one line, every character a terminal could act on escaped. */
static void print_json_line(const char *label, const cJSON *v)
{
    char *text = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
    printf("%s%s\n", label, cli_safe(text ? text : v->valuestring));
    cJSON_free(text);
}

static int evolution_show_cmd(CliCtx *ctx)
{
    long long id;
    int json = cli_flag(ctx, "json") > 0;
    if (ctx->argc != 2 || cli_parse_i64(ctx->argv[1], &id) || id < 1)
        return cli_usage_error(ctx, "takes one entry id (and --json for the entry as it is stored)");
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    EvolutionRow r;
    int rc = evolution_get(s, id, &r, &err);
    if (rc == MA_OK && json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)r.id);
        cJSON_AddStringToObject(o, "type", r.evolution_type);
        cJSON_AddStringToObject(o, "game_time", r.applied_at);
        cJSON_AddBoolToObject(o, "active", r.is_active);
        cJSON_AddItemToObject(o, "reasoning", cJSON_Duplicate(r.reasoning, 1));
        cJSON_AddItemToObject(o, "changes_made", cJSON_Duplicate(r.changes_made, 1));
        char *text = cJSON_PrintUnformatted(o);
        puts(text);
        cJSON_free(text);
        cJSON_Delete(o);
    } else if (rc == MA_OK) {
        char who[40], when[48];
        calendar_date(calendar_turn_of_iso(r.applied_at), when, sizeof when);
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(r.changes_made, "summary");
        printf("entry #%lld: %s\n", id, cli_safe(cJSON_IsString(sum) ? sum->valuestring : r.evolution_type));
        printf("  %s, by %s, type %s%s\n", when, agent_of(s, r.agent_id, who, sizeof who), r.evolution_type,
               r.is_active ? "" : " (rolled back)");
        printf("reasoning:\n");
        const cJSON *it;
        cJSON_ArrayForEach(it, r.reasoning) {
            char label[80];
            snprintf(label, sizeof label, "  %s: ", it->string);
            print_json_line(label, it);
        }
        const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(r.changes_made, "blocks");
        printf("blocks: %d\n", cJSON_GetArraySize(blocks));
        cJSON_ArrayForEach(it, blocks) {
            const cJSON *b = cJSON_GetObjectItem(it, "before"), *a = cJSON_GetObjectItem(it, "after");
            printf("  (%d, %d, %d) %s -> %s\n", (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "x")),
                   (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "y")),
                   (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "z")), cli_safe(cJSON_IsString(b) ? b->valuestring : "?"),
                   cli_safe(cJSON_IsString(a) ? a->valuestring : "?"));
        }
        const cJSON *ents = cJSON_GetObjectItemCaseSensitive(r.changes_made, "entities");
        printf("entities: %d\n", cJSON_GetArraySize(ents));
        cJSON_ArrayForEach(it, ents) {
            const cJSON *b = cJSON_GetObjectItem(it, "before"), *a = cJSON_GetObjectItem(it, "after");
            char label[160];
            snprintf(label, sizeof label, "  %s in chunk ", cli_safe(cJSON_GetStringValue(cJSON_GetObjectItem(it, "id"))));
            print_json_line(label, cJSON_GetObjectItem(it, "chunk"));
            print_json_line("    before: ", b);
            print_json_line("    after:  ", a);
        }
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(r.changes_made, "rows");
        printf("rows: %d\n", cJSON_GetArraySize(rows));
        cJSON_ArrayForEach(it, rows) {
            char label[160];
            snprintf(label, sizeof label, "  %s %lld ", cli_safe(cJSON_GetStringValue(cJSON_GetObjectItem(it, "table"))),
                     (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "id")));
            printf("%s%s\n", label, cJSON_IsNull(cJSON_GetObjectItem(it, "before")) ? "added" :
                                     cJSON_IsNull(cJSON_GetObjectItem(it, "after")) ? "deleted" : "changed");
            print_json_line("    before: ", cJSON_GetObjectItem(it, "before"));
            print_json_line("    after:  ", cJSON_GetObjectItem(it, "after"));
        }
        evolution_row_clear(&r);
    }
    if (rc == MA_OK && json)
        evolution_row_clear(&r);
    save_close(s);
    return rc == MA_OK ? CLI_OK : cli_fail(&err);
}

static int evolution_rollback_cmd(CliCtx *ctx)
{
    EvoRollback opt;
    memset(&opt, 0, sizeof opt);
    opt.cascade = cli_flag(ctx, "cascade") > 0;
    opt.force = cli_flag(ctx, "force") > 0;
    const char *world = cli_opt(ctx, "world"), *to_text = cli_opt(ctx, "to");
    long long id = 0, to = -1;
    if (to_text && (cli_parse_i64(to_text, &to) || to < 0))
        return cli_usage_error(ctx, "--to takes an entry id (0: before any agent acted)");
    if (ctx->argc == 2 && (cli_parse_i64(ctx->argv[1], &id) || id < 1))
        return cli_usage_error(ctx, "an entry id is a whole number from 1, not '%s'", ctx->argv[1]);
    if ((to >= 0) == (id > 0) || (to >= 0 && !world))
        return cli_usage_error(ctx, "takes ID [--cascade] [--force], or --world NAME --to ID");
    Save *s = cli_open_save(ctx, 0);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    char name[65] = "";
    int rc = MA_OK;
    if (world) {
        snprintf(name, sizeof name, "%s", world);
    } else {
        EvolutionRow r;
        if ((rc = evolution_get(s, id, &r, &err)) == MA_OK) {
            WorldRow w;
            if ((rc = worlds_get(s, r.world_id, &w, &err)) == MA_OK) {
                snprintf(name, sizeof name, "%s", w.name);
                world_row_clear(&w);
            }
            evolution_row_clear(&r);
        }
    }
    save_close(s);
    if (rc != MA_OK)
        return cli_fail(&err);
    Living l;
    if (living_open(ctx, name, 0, &l) != CLI_OK)
        return CLI_FAIL;
    opt.turn = l.clock;
    if ((rc = save_begin(l.save, &err)) == MA_OK) {
        rc = to >= 0 ? evolution_rollback_to(l.save, l.world, world_id(l.world), to, &opt, &err)
                     : evolution_rollback(l.save, l.world, id, &opt, &err);
        if (rc == MA_OK)
            rc = world_flush(l.world, &err);
        if (rc == MA_OK)
            rc = save_commit(l.save, &err);
        else
            save_rollback(l.save);
    }
    living_close(&l);
    if (rc != MA_OK)
        return cli_fail(&err);
    if (opt.n_total == 0)
        printf("nothing to roll back\n");
    for (int i = 0; i < opt.n_rolled && i < 20; i++)
        printf("rolled back #%lld\n", (long long)opt.rolled[i]);
    if (opt.n_total > 20)
        printf("... %d entries rolled back in all (each one logged as a rollback entry)\n", opt.n_total);
    return CLI_OK;
}

static int evolution_diff_cmd(CliCtx *ctx)
{
    const char *world = cli_opt(ctx, "world");
    long long from = -1, to = -1;
    if (cli_opt_int(ctx, "from", 0, LLONG_MAX, &from) == CLI_USAGE || cli_opt_int(ctx, "to", 0, LLONG_MAX, &to) == CLI_USAGE)
        return CLI_USAGE;
    if (!world || from < 0 || to < 0)
        return cli_usage_error(ctx, "takes --world NAME --from ID --to ID");
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    WorldRow w;
    int rc = worlds_get_by_name(s, world, &w, &err);
    if (rc == MA_OK) {
        cJSON *d = evolution_diff(s, w.id, from < to ? from : to, from < to ? to : from, &err);
        world_row_clear(&w);
        if (!d) {
            rc = err.code ? err.code : MA_ERR_DB;
        } else {
            int blocks = 0, rows = 0;
            const cJSON *chunk, *table, *it;
            printf("blocks, by chunk:\n");
            cJSON_ArrayForEach(chunk, cJSON_GetObjectItemCaseSensitive(d, "blocks")) {
                if (!cJSON_GetArraySize(chunk))
                    continue;
                printf("  chunk %s: %d blocks\n", chunk->string, cJSON_GetArraySize(chunk));
                cJSON_ArrayForEach(it, chunk) {
                    printf("    (%d, %d, %d) %s -> %s\n", cJSON_GetObjectItem(it, "x")->valueint,
                           cJSON_GetObjectItem(it, "y")->valueint, cJSON_GetObjectItem(it, "z")->valueint,
                           cJSON_GetObjectItem(it, "from")->valuestring, cJSON_GetObjectItem(it, "to")->valuestring);
                    blocks++;
                }
            }
            printf("rows, by table:\n");
            cJSON_ArrayForEach(table, cJSON_GetObjectItemCaseSensitive(d, "rows")) {
                printf("  %s: %d rows\n", table->string, cJSON_GetArraySize(table));
                cJSON_ArrayForEach(it, table) {
                    const cJSON *f = cJSON_GetObjectItem(it, "from"), *t = cJSON_GetObjectItem(it, "to");
                    printf("    id %lld: %s\n", (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "id")),
                           cJSON_IsNull(f) ? "added" : cJSON_IsNull(t) ? "deleted" : "changed");
                    rows++;
                }
            }
            printf("%d blocks and %d rows differ between #%lld and #%lld\n", blocks, rows, from, to);
            cJSON_Delete(d);
        }
    }
    save_close(s);
    return rc == MA_OK ? CLI_OK : cli_fail(&err);
}

/* ------------------------------------------------------------ events */

static int cmd_events(CliCtx *ctx)
{
    const char *world = cli_opt(ctx, "world");
    if (!world)
        return cli_usage_error(ctx, "needs --world NAME");
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    WorldRow w;
    int rc = worlds_get_by_name(s, world, &w, &err);
    if (rc == MA_OK) {
        int64_t clock = clock_of(&w);
        char date[48], now[32];
        calendar_date(clock, date, sizeof date);
        calendar_iso(clock, now, sizeof now);
        printf("%s: %s, %s\n", cli_safe(world), date, calendar_season_name(calendar_season(clock)));
        EventRow *ev = NULL;
        int n = 0;
        if ((rc = events_list(s, w.id, &ev, &n, &err)) == MA_OK) {
            int shown = 0;
            for (int pass = 0; pass < 2; pass++) {
                printf("%s:\n", pass == 0 ? "now" : "coming");
                for (int i = 0; i < n; i++) {
                    int active = strcmp(ev[i].start_time, now) <= 0 && (!ev[i].end_time[0] || strcmp(ev[i].end_time, now) > 0);
                    int coming = strcmp(ev[i].start_time, now) > 0;
                    if (!ev[i].is_active || (pass == 0 ? !active : !coming))
                        continue;
                    char a[48], b[48] = "";
                    calendar_date(calendar_turn_of_iso(ev[i].start_time), a, sizeof a);
                    if (ev[i].end_time[0])
                        calendar_date(calendar_turn_of_iso(ev[i].end_time), b, sizeof b);
                    printf("  %-12s %-30s %s .. %s\n      %s\n", ev[i].event_type, cli_safe(ev[i].event_name), a,
                           b[0] ? b : "", cli_safe(ev[i].description ? ev[i].description : ""));
                    shown++;
                }
            }
            if (!shown)
                printf("  nothing\n");
            events_list_free(ev, n);
        }
        world_row_clear(&w);
    }
    save_close(s);
    return rc == MA_OK ? CLI_OK : cli_fail(&err);
}

/* ------------------------------------------------------------ the world as it was */

int cli_world_at(const CliCtx *ctx, const char *world, long long at, char *path, size_t size)
{
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    char dir[] = "/tmp/ma-at-XXXXXX";
    if (!mkdtemp(dir)) {
        save_close(s);
        fprintf(stderr, "magic-adventure: --at: cannot make a temporary folder\n");
        return CLI_FAIL;
    }
    snprintf(path, size, "%s/at.db", dir);
    Err err = {0};
    int rc = save_backup(s, path, &err);
    save_close(s);
    if (rc != MA_OK) {
        cli_world_at_done(path);
        path[0] = '\0';
        return cli_fail(&err);
    }
    CliCtx copy = *ctx;
    copy.save_path = path;
    Living l;
    if (living_open(&copy, world, 0, &l) != CLI_OK) {
        cli_world_at_done(path);
        path[0] = '\0';
        return CLI_FAIL;
    }
    /* An entry of this world's log (0: before any agent acted); another id would picture nothing
     * that ever was. */
    if (at > 0) {
        EvolutionRow row;
        int found = evolution_get(l.save, at, &row, &err);
        int other = found == MA_OK && row.world_id != world_id(l.world);
        if (found == MA_OK)
            evolution_row_clear(&row);
        if (found != MA_OK || other) {
            if (found == MA_OK || err.code == MA_ERR_NOT_FOUND)
                fprintf(stderr, "magic-adventure: --at %lld: %s (`evolution log --world %s` lists its entries)\n", at,
                        other ? "that entry is another world's" : "there is no such entry in the evolution log",
                        cli_safe(world));
            else
                cli_fail(&err);
            living_close(&l);
            cli_world_at_done(path);
            path[0] = '\0';
            return CLI_FAIL;
        }
    }
    /* Every later agent change undone, whatever the player did since: a picture of that moment. */
    EvoRollback opt;
    memset(&opt, 0, sizeof opt);
    opt.force = 1;
    opt.turn = l.clock;
    if ((rc = save_begin(l.save, &err)) == MA_OK) {
        rc = evolution_rollback_to(l.save, l.world, world_id(l.world), at, &opt, &err);
        if (rc == MA_OK)
            rc = world_flush(l.world, &err);
        rc = rc == MA_OK ? save_commit(l.save, &err) : (save_rollback(l.save), rc);
    }
    living_close(&l);
    if (rc != MA_OK) {
        cli_world_at_done(path);
        path[0] = '\0';
        return cli_fail(&err);
    }
    fprintf(stderr, "magic-adventure: the world as it was after entry #%lld (%d later change%s undone in a copy)\n",
            at, opt.n_total, opt.n_total == 1 ? "" : "s");
    return CLI_OK;
}

void cli_world_at_done(const char *path)
{
    if (!path || !path[0])
        return;
    char cmd[4400];
    const char *slash = strrchr(path, '/');
    snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", slash ? (int)(slash - path) : 0, path);
    if (slash && strncmp(path, "/tmp/ma-at-", 11) == 0 && system(cmd) != 0)
        fprintf(stderr, "magic-adventure: could not remove %s\n", path);
}

static const CliCommand agents_subs[] = {
    {"list", "--world NAME", "the six agents of the world and their state", agents_list_cmd, 0,
     {CLI_OPT_WORLD}, NULL},
    {"run", "--world NAME --days N [--agent TYPE]", "let N game days pass for the agents (the world's clock moves on)",
     agents_run_cmd, 0,
     {CLI_OPT_WORLD,
      {"days", 'd', "N", "game days to pass (1 to 3650; 1)"},
      {"agent", 'a', "TYPE", "only this agent (the clock then stays)"}},
     NULL},
    {NULL, NULL, NULL, NULL, 0, {{0}}, NULL},
};
const CliCommand cli_cmd_agents = {
    "agents", NULL,
    "the six agents of a world and their state, or let N game days pass for them (the world's clock moves on)",
    NULL, 0, {{0}}, agents_subs,
};

static const CliCommand evolution_subs[] = {
    {"log", "--world NAME [--agent TYPE] [--json]", "what the agents changed in the world, and why", evolution_log_cmd, 0,
     {CLI_OPT_WORLD,
      {"agent", 'a', "TYPE", "only this agent's entries"},
      {"json", 'j', NULL, "as a JSON array"}},
     NULL},
    {"show", "ID [--json]", "one entry in full (--json: as it is stored)", evolution_show_cmd, 1,
     {{"json", 'j', NULL, "the entry as it is stored"}}, NULL},
    {"rollback", "ID [--cascade] [--force] | rollback --world NAME --to ID",
     "undo one entry, or every entry of a world after entry ID", evolution_rollback_cmd, 1,
     {{"cascade", 0, NULL, "undo the later entries that build on it too"},
      {"force", 0, NULL, "undo it even where the player changed the same place since"},
      {"world", 'w', "NAME", "the world (with --to)"},
      {"to", 0, "ID", "undo every entry after ID (0: before any agent acted)"}},
     NULL},
    {"diff", "--world NAME --from ID --to ID", "the blocks and rows that differ between two entries",
     evolution_diff_cmd, 0,
     {CLI_OPT_WORLD,
      {"from", 0, "ID", "one entry (0: the beginning)"},
      {"to", 0, "ID", "the other entry"}},
     NULL},
    {NULL, NULL, NULL, NULL, 0, {{0}}, NULL},
};
const CliCommand cli_cmd_evolution = {
    "evolution", NULL, "what the agents changed, why, and undoing it", NULL, 0, {{0}}, evolution_subs,
};

const CliCommand cli_cmd_events = {
    "events", "--world NAME", "the world's date, season, and its events now and coming", cmd_events, 0,
    {CLI_OPT_WORLD}, NULL,
};
