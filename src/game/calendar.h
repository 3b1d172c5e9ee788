/* calendar.h — the game's calendar: days, seasons and years on the game
 * clock, and the clock as ISO-8601 text for rows that record world history.
 *
 * A turn is two minutes; a day is TURNS_PER_DAY turns, turn 0 being 08:00
 * of the first day. A season is CALENDAR_SEASON_DAYS days and a year four
 * seasons (spring, summer, autumn, winter), so a week of play turns a
 * season. Rows that record when something happened in the world -- world
 * events, agent memory, the evolution log, generated quests -- carry game
 * time: turn 0 is 2000-01-01T08:00:00.000Z and each turn adds two minutes,
 * so that SQL orders and compares them like any other time. */
#ifndef MA_GAME_CALENDAR_H
#define MA_GAME_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define CALENDAR_SEASON_DAYS 7
#define CALENDAR_YEAR_DAYS (4 * CALENDAR_SEASON_DAYS)

typedef enum Season { SEASON_SPRING, SEASON_SUMMER, SEASON_AUTUMN, SEASON_WINTER } Season;

/* The day (0-based) a turn falls in. */
int64_t calendar_day(int64_t turn);
Season calendar_season(int64_t turn);
const char *calendar_season_name(Season s); /* "spring" ... */
/* The year, from 1. */
int64_t calendar_year(int64_t turn);
/* "Spring 3, year 1" (day of the season from 1). */
char *calendar_date(int64_t turn, char *buf, size_t size);
/* The turn at which day `day` starts (00:00 of that day; day 0 starts before turn 0). */
int64_t calendar_day_start(int64_t day);
/* Game time as ISO-8601 text (see above), and back (-1 when not one). */
/* A span of turns as game time in words: "2 days 4 hours", "14 hours", "40 minutes" (a turn is two
 * minutes). For "... left" on the quest screens, which had said "720 turns". */
char *calendar_span(int64_t turns, char *buf, size_t size);
char *calendar_iso(int64_t turn, char *buf, size_t size);
int64_t calendar_turn_of_iso(const char *iso);

#endif
