/* game_verify.c — the game's part of `verify`: what only the game's data can
 * judge. Every achievement row names an achievement of data/achievements.json,
 * and every quest row is one the game can play (the same checks as
 * data/quests.json), so that a save made by anything but the game (sample
 * data, sync, a hand-edited file) is caught when it holds what the game
 * could never have made. Story choices are checked by the save's own verify. */
#include "game/game_verify.h"

#include <stdio.h>

#include "game/achieve.h"
#include "game/quest.h"
#include "save/achievements.h"
#include "save/quests.h"
#include "save/users.h"
#include "save/worlds.h"

int game_verify(Save *s, SaveProblemFn report, void *ud, Err *err)
{
    AchieveBook *book = NULL;
    int rc = achieve_book_load_default(&book, err), problems = 0;
    UserRow *users = NULL;
    int nu = 0;
    if (rc == MA_OK)
        rc = users_list(s, &users, &nu, err);
    for (int i = 0; rc == MA_OK && i < nu; i++) {
        AchievementRow *a = NULL;
        int na = 0;
        if ((rc = achievements_list(s, users[i].id, &a, &na, err)) != MA_OK)
            break;
        for (int k = 0; k < na; k++)
            if (!achieve_book_knows(book, a[k].achievement_name)) {
                char msg[300];
                snprintf(msg, sizeof msg, "achievement %lld of user '%s' is '%s', which the game does not have",
                         (long long)a[k].id, users[i].username, a[k].achievement_name);
                report(msg, ud);
                problems++;
            }
        achievements_list_free(a, na);
    }
    users_list_free(users, nu);
    WorldRow *worlds = NULL;
    int nw = 0;
    if (rc == MA_OK)
        rc = worlds_list(s, &worlds, &nw, err);
    for (int i = 0; rc == MA_OK && i < nw; i++) {
        QuestRow *q = NULL;
        int nq = 0;
        if ((rc = quests_list_world(s, worlds[i].id, &q, &nq, err)) != MA_OK)
            break;
        for (int k = 0; k < nq; k++) {
            Err why = {0};
            if (!quest_row_playable(s, &q[k], &why)) {
                char msg[900];
                snprintf(msg, sizeof msg, "quest %lld ('%s') of world '%s' is not one the game can play: %s",
                         (long long)q[k].id, q[k].title, worlds[i].name, why.msg);
                report(msg, ud);
                problems++;
            }
        }
        quests_list_free(q, nq);
    }
    worlds_list_free(worlds, nw);
    achieve_book_free(book);
    return rc == MA_OK ? problems : rc;
}
