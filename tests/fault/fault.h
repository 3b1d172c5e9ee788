/* fault.h — fault injection for tests, the way SQLite tests itself.
 *
 * Linked only into test programs and into `magic-adventure-faults` (the game
 * built with this file; never the game players run). Linking it installs,
 * before main, an SQLite VFS shim over the default one (made the default) and
 * a statement tracer on every connection. Unarmed, they only count: the
 * statements SQLite starts and the writes it makes to any file (the save,
 * its WAL, a journal). Armed, they:
 *   - stop the process at the Nth statement or the Nth write, as kill -9
 *     would: _exit(FAULT_EXIT_STATUS) with no cleanup, the write not made;
 *   - or fail the Nth write (and with persist, every one after it) with
 *     SQLITE_FULL or SQLITE_IOERR_WRITE, as a full or broken disk would.
 * Counting starts at the last fault_reset or arming call.
 *
 * In `magic-adventure-faults` the environment arms it: MAGIC_FAULT=
 *   statement:N | write:N   exit at the Nth statement / write after start
 *   full:N | ioerr:N        the Nth write and every one after it fail
 *   signal                  SIGUSR1 turns a full disk on, SIGUSR2 off */
#ifndef MA_TESTS_FAULT_H
#define MA_TESTS_FAULT_H

#define FAULT_EXIT_STATUS 77

/* Disarms and zeroes the counters. */
void fault_reset(void);
/* _exit(FAULT_EXIT_STATUS) when the nth statement (1-based) from now starts. */
void fault_exit_at_statement(long n);
/* _exit(FAULT_EXIT_STATUS) instead of making the nth write from now. */
void fault_exit_at_write(long n);
/* The nth write from now fails with code (SQLITE_FULL or SQLITE_IOERR_WRITE);
 * with persist, every write after it too, until fault_reset. */
void fault_fail_writes(long n, int code, int persist);
/* Counted since the last reset or arming. */
long fault_statements(void);
long fault_writes(void);

#endif
