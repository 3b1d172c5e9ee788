/* session_file.h — where the client keeps its sign-in: the plain session token of each player,
 * per save, in a file of the user's own (mode 0600, in $XDG_STATE_HOME/magic-adventure or
 * ~/.local/state/magic-adventure), never in the save, which keeps only the token's SHA-256. A
 * copy of the save therefore still hands out no live session, while Continue on this machine
 * resumes a session of the last 24 hours without asking for the password again. */
#ifndef MA_UI_SESSION_FILE_H
#define MA_UI_SESSION_FILE_H

#include <stddef.h>

/* The token kept for username on the save at save_path; 1 when there is one, else 0. */
int session_file_read(const char *save_path, const char *username, char *token, size_t size);
/* Keeps token for username on that save (replacing an older one); 0, or -1 when it cannot be
 * written (the client then asks for the password next time, as before). */
int session_file_write(const char *save_path, const char *username, const char *token);

#endif
