/* sample_play.c — see sample_play.h. */
#include "game/sample_play.h"

#include <stdio.h>
#include <string.h>

#include "game/game.h"
#include "save/characters.h"
#include "save/users.h"
#include "save/worlds.h"

/* A walk about: steps, digging, building, crafting, talking, looting,
 * fighting, story choices and waiting, in an order that gives each a chance. */
static const char *const script[] = {
    "move n", "move n", "dig down", "move e", "dig n", "take", "move s", "place w", "craft planks",
    "craft stick", "talk e", "say 1", "move w", "attack n", "wait 3", "story", "choose 1", "move n", "move e",
    "dig e", "move e", "use bread", "move s", "move s", "dig s", "move w", "craft torch", "choose 2", "wait 10",
};

int sample_play(Save *s, int steps, SamplePlayStats *stats, Err *err)
{
    SamplePlayStats local = {0};
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    WorldRow *worlds = NULL;
    int nw = 0;
    int rc = worlds_list(s, &worlds, &nw, err);
    for (int w = 0; rc == MA_OK && w < nw; w++) {
        CharacterRow *chars = NULL;
        int nc = 0;
        if ((rc = characters_list_by_world(s, worlds[w].id, &chars, &nc, err)) != MA_OK)
            break;
        int pick = -1;
        for (int i = 0; i < nc && pick < 0; i++)
            if (chars[i].user_id > 0)
                pick = i;
        UserRow u;
        if (pick >= 0 && (rc = users_get(s, chars[pick].user_id, &u, err)) == MA_OK) {
            GameStart st = {.username = u.username, .world = worlds[w].name, .character = chars[pick].name};
            Game *g = NULL;
            if ((rc = game_start(s, &st, &g, err)) == MA_OK) {
                stats->characters++;
                for (int k = 0; rc == MA_OK && k < steps; k++) {
                    Action a;
                    if (action_parse(script[k % (int)(sizeof script / sizeof script[0])], &a, err) != 1) {
                        rc = err->code;
                        break;
                    }
                    ActionResult r;
                    rc = game_apply(g, &a, &r, err);
                    stats->actions++;
                    stats->done += r.ok;
                }
                game_close(g);
            }
            if (rc != MA_OK)
                err_prefix(err, "playing the sample character %s in %s", chars[pick].name, worlds[w].name);
            user_row_clear(&u);
        }
        characters_list_free(chars, nc);
    }
    worlds_list_free(worlds, nw);
    return rc;
}
