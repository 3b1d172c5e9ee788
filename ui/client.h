/* client.h — the full-screen client (client.c). */
#ifndef MA_UI_CLIENT_H
#define MA_UI_CLIENT_H

/* Runs the whole client on the save at save_path (made when missing); resume skips the title
 * menu to Continue. Returns an exit status: 0, 1 when the save or the terminal cannot be
 * opened, 128 + the signal that ended it. */
int client_run(const char *save_path, int resume);

#endif
