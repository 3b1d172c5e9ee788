/* calendar.c — see calendar.h. */
#include "game/calendar.h"

#include <stdio.h>

#include "game/game.h"
#include "util/timeutil.h"

/* 2000-01-01T08:00:00Z in milliseconds since 1970. */
#define GAME_EPOCH_MS 946713600000LL
#define TURN_MS 120000LL
/* Turn 0 is 08:00: the day boundary falls 240 turns (8 hours) earlier. */
#define TURNS_BEFORE_MIDNIGHT (8 * 30)

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int64_t calendar_day(int64_t turn) { return floor_div(turn + TURNS_BEFORE_MIDNIGHT, TURNS_PER_DAY); }

int64_t calendar_day_start(int64_t day) { return day * TURNS_PER_DAY - TURNS_BEFORE_MIDNIGHT; }

Season calendar_season(int64_t turn)
{
    int64_t d = calendar_day(turn);
    int64_t in_year = d - floor_div(d, CALENDAR_YEAR_DAYS) * CALENDAR_YEAR_DAYS;
    return (Season)(in_year / CALENDAR_SEASON_DAYS);
}

const char *calendar_season_name(Season s)
{
    static const char *const names[] = {"spring", "summer", "autumn", "winter"};
    return s >= SEASON_SPRING && s <= SEASON_WINTER ? names[s] : "spring";
}

int64_t calendar_year(int64_t turn) { return floor_div(calendar_day(turn), CALENDAR_YEAR_DAYS) + 1; }

char *calendar_date(int64_t turn, char *buf, size_t size)
{
    static const char *const titles[] = {"Spring", "Summer", "Autumn", "Winter"};
    int64_t d = calendar_day(turn);
    int64_t in_season = d - floor_div(d, CALENDAR_SEASON_DAYS) * CALENDAR_SEASON_DAYS;
    snprintf(buf, size, "%s %lld, year %lld", titles[calendar_season(turn)], (long long)in_season + 1,
             (long long)calendar_year(turn));
    return buf;
}

char *calendar_iso(int64_t turn, char *buf, size_t size)
{
    char iso[TIME_ISO_LEN];
    snprintf(buf, size, "%s", time_iso(GAME_EPOCH_MS + turn * TURN_MS, iso));
    return buf;
}

int64_t calendar_turn_of_iso(const char *iso)
{
    int64_t ms = time_parse_iso(iso);
    if (ms < 0)
        return -1;
    return floor_div(ms - GAME_EPOCH_MS, TURN_MS);
}

char *calendar_span(int64_t turns, char *buf, size_t size)
{
    int64_t minutes = (turns < 0 ? 0 : turns) * 2;
    int64_t days = minutes / 1440, hours = minutes % 1440 / 60, mins = minutes % 60;
    if (days > 0 && hours > 0)
        snprintf(buf, size, "%lld day%s %lld hour%s", (long long)days, days == 1 ? "" : "s", (long long)hours,
                 hours == 1 ? "" : "s");
    else if (days > 0)
        snprintf(buf, size, "%lld day%s", (long long)days, days == 1 ? "" : "s");
    else if (hours > 0)
        snprintf(buf, size, "%lld hour%s", (long long)hours, hours == 1 ? "" : "s");
    else
        snprintf(buf, size, "%lld minute%s", (long long)mins, mins == 1 ? "" : "s");
    return buf;
}
