/* fault.c — the fault-injection shim (see fault.h): an SQLite VFS that
 * forwards to the default VFS and counts or fails writes, and a statement
 * tracer installed on every connection through sqlite3_auto_extension. */
#include "fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

typedef enum Mode { MODE_COUNT, MODE_EXIT_STMT, MODE_EXIT_WRITE, MODE_FAIL_WRITE } Mode;

static volatile sig_atomic_t signal_full; /* set by SIGUSR1, cleared by SIGUSR2 */
static Mode mode;
static long target, statements, writes;
static int fail_code, fail_persist;

void fault_reset(void)
{
    mode = MODE_COUNT;
    target = statements = writes = 0;
    fail_code = fail_persist = 0;
}

void fault_exit_at_statement(long n)
{
    fault_reset();
    mode = MODE_EXIT_STMT;
    target = n;
}

void fault_exit_at_write(long n)
{
    fault_reset();
    mode = MODE_EXIT_WRITE;
    target = n;
}

void fault_fail_writes(long n, int code, int persist)
{
    fault_reset();
    mode = MODE_FAIL_WRITE;
    target = n;
    fail_code = code;
    fail_persist = persist;
}

long fault_statements(void) { return statements; }
long fault_writes(void) { return writes; }

/* What the next write does: 0 go on, else the SQLite error to return. */
static int on_write(void)
{
    writes++;
    if (signal_full)
        return SQLITE_FULL;
    if (mode == MODE_EXIT_WRITE && writes == target)
        _exit(FAULT_EXIT_STATUS);
    if (mode == MODE_FAIL_WRITE && (writes == target || (fail_persist && writes > target)))
        return fail_code;
    return 0;
}

/* ------------------------------------------------------------ the VFS shim */

typedef struct ShimFile {
    sqlite3_file base;
    sqlite3_file *real; /* allocated right after this struct */
} ShimFile;

static sqlite3_vfs *real_vfs;

#define REAL(f) (((ShimFile *)(f))->real)

static int x_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int x_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off) { return REAL(f)->pMethods->xRead(REAL(f), buf, n, off); }
static int x_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    int rc = on_write();
    return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}
static int x_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = on_write();
    return rc ? (rc == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_TRUNCATE) : REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int x_sync(sqlite3_file *f, int flags) { return REAL(f)->pMethods->xSync(REAL(f), flags); }
static int x_size(sqlite3_file *f, sqlite3_int64 *size) { return REAL(f)->pMethods->xFileSize(REAL(f), size); }
static int x_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int x_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int x_check(sqlite3_file *f, int *out) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out); }
static int x_control(sqlite3_file *f, int op, void *arg) { return REAL(f)->pMethods->xFileControl(REAL(f), op, arg); }
static int x_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int x_device(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int x_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}
static int x_shm_lock(sqlite3_file *f, int off, int n, int flags) { return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags); }
static void x_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int x_shm_unmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int x_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp) { return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp); }
static int x_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), off, p); }

static const sqlite3_io_methods shim_methods = {
    3, x_close, x_read, x_write, x_truncate, x_sync, x_size, x_lock, x_unlock, x_check, x_control,
    x_sector, x_device, x_shm_map, x_shm_lock, x_shm_barrier, x_shm_unmap, x_fetch, x_unfetch,
};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    ShimFile *s = (ShimFile *)f;
    s->real = (sqlite3_file *)(s + 1);
    int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
    /* SQLite calls xClose only when pMethods is set: set it only when the real file opened. */
    s->base.pMethods = s->real->pMethods ? &shim_methods : NULL;
    return rc;
}
static int v_delete(sqlite3_vfs *vfs, const char *name, int sync) { (void)vfs; return real_vfs->xDelete(real_vfs, name, sync); }
static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) { (void)vfs; return real_vfs->xAccess(real_vfs, name, flags, out); }
static int v_full(sqlite3_vfs *vfs, const char *name, int n, char *out) { (void)vfs; return real_vfs->xFullPathname(real_vfs, name, n, out); }
static void *v_dlopen(sqlite3_vfs *vfs, const char *name) { (void)vfs; return real_vfs->xDlOpen(real_vfs, name); }
static void v_dlerror(sqlite3_vfs *vfs, int n, char *out) { (void)vfs; real_vfs->xDlError(real_vfs, n, out); }
static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void) { (void)vfs; return real_vfs->xDlSym(real_vfs, h, sym); }
static void v_dlclose(sqlite3_vfs *vfs, void *h) { (void)vfs; real_vfs->xDlClose(real_vfs, h); }
static int v_random(sqlite3_vfs *vfs, int n, char *out) { (void)vfs; return real_vfs->xRandomness(real_vfs, n, out); }
static int v_sleep(sqlite3_vfs *vfs, int us) { (void)vfs; return real_vfs->xSleep(real_vfs, us); }
static int v_time(sqlite3_vfs *vfs, double *out) { (void)vfs; return real_vfs->xCurrentTime(real_vfs, out); }
static int v_last_error(sqlite3_vfs *vfs, int n, char *out) { (void)vfs; return real_vfs->xGetLastError(real_vfs, n, out); }
static int v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out) { (void)vfs; return real_vfs->xCurrentTimeInt64(real_vfs, out); }

static sqlite3_vfs shim_vfs = {
    2, 0, 1024, NULL, "fault", NULL, v_open, v_delete, v_access, v_full, v_dlopen, v_dlerror, v_dlsym,
    v_dlclose, v_random, v_sleep, v_time, v_last_error, v_time64, NULL, NULL, NULL,
};

/* ------------------------------------------------------------ the statement tracer */

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)type, (void)ctx, (void)p, (void)x;
    statements++;
    if (mode == MODE_EXIT_STMT && statements == target)
        _exit(FAULT_EXIT_STATUS);
    return 0;
}

static int on_connection(sqlite3 *db, char **errmsg, const struct sqlite3_api_routines *api)
{
    (void)errmsg, (void)api;
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, on_trace, NULL);
    return SQLITE_OK;
}

static void on_usr1(int sig) { (void)sig; signal_full = 1; }
static void on_usr2(int sig) { (void)sig; signal_full = 0; }

__attribute__((constructor)) static void fault_install(void)
{
    sqlite3_initialize();
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs)
        return;
    shim_vfs.szOsFile = (int)sizeof(ShimFile) + real_vfs->szOsFile;
    shim_vfs.mxPathname = real_vfs->mxPathname;
    sqlite3_vfs_register(&shim_vfs, 1);
    sqlite3_auto_extension((void (*)(void))on_connection);

    const char *env = getenv("MAGIC_FAULT");
    if (!env || !*env)
        return;
    long n = 0;
    const char *colon = strchr(env, ':');
    if (colon)
        n = strtol(colon + 1, NULL, 10);
    if (strncmp(env, "statement:", 10) == 0)
        fault_exit_at_statement(n);
    else if (strncmp(env, "write:", 6) == 0)
        fault_exit_at_write(n);
    else if (strncmp(env, "full:", 5) == 0)
        fault_fail_writes(n, SQLITE_FULL, 1);
    else if (strncmp(env, "ioerr:", 6) == 0)
        fault_fail_writes(n, SQLITE_IOERR_WRITE, 1);
    else if (strcmp(env, "signal") == 0) {
        signal(SIGUSR1, on_usr1);
        signal(SIGUSR2, on_usr2);
    }
}
