/* game_verify.h — the game's own invariants for `verify` (see game_verify.c). */
#ifndef MA_GAME_GAME_VERIFY_H
#define MA_GAME_GAME_VERIFY_H

#include "save/save.h"

/* Calls report once per problem; returns the number of problems, or a negative status. */
int game_verify(Save *s, SaveProblemFn report, void *ud, Err *err);

#endif
