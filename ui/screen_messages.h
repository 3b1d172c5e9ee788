/* screen_messages.h — the message history screen (screen_messages.c). */
#ifndef MA_UI_SCREEN_MESSAGES_H
#define MA_UI_SCREEN_MESSAGES_H

#include "screen_log.h"

/* The message history (the whole log, newest last), scrolled to the end. */
void screen_messages_run(const MsgLog *log);

#endif
