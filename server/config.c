/* config.c — the server's configuration: the design's environment variables and flags. */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

static int env_int(const char *name, int def, int lo, int hi, int *out, Err *err)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        *out = def;
        return MA_OK;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi)
        return err_set(err, MA_ERR_INVALID, "%s=%s: must be a whole number from %d to %d", name, v, lo, hi);
    *out = (int)n;
    return MA_OK;
}

int server_config_from_env(ServerConfig *c, Err *err)
{
    memset(c, 0, sizeof *c);
    const char *url = getenv("DATABASE_URL");
    if (url && strlen(url) >= sizeof c->database_url)
        return err_set(err, MA_ERR_INVALID, "DATABASE_URL is longer than %zu bytes", sizeof c->database_url - 1);
    snprintf(c->database_url, sizeof c->database_url, "%s", url ? url : "");
    int rc;
    if ((rc = env_int("DB_POOL_SIZE", 20, 1, 1000, &c->pool_size, err)) != MA_OK ||
        (rc = env_int("DB_POOL_TIMEOUT", 30, 1, 3600, &c->pool_timeout_s, err)) != MA_OK ||
        (rc = env_int("BACKUP_RETENTION_DAYS", 30, 1, 36500, &c->backup_retention_days, err)) != MA_OK ||
        (rc = env_int("MAGIC_SESSION_HOURS", 24, 1, 24 * 365, &c->session_hours, err)) != MA_OK ||
        (rc = env_int("DB_PREPARE", 1, 0, 1, &c->prepare, err)) != MA_OK)
        return rc;
    snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
    c->listen_port = 8787;
    c->threads = 4;
    c->rate_per_s = 50;
    c->rate_burst = 100;
    const char *rate = getenv("MAGIC_SERVER_RATE");
    if (rate && *rate) {
        double r = 0;
        int b = 0;
        char tail;
        if (sscanf(rate, "%lf/%d%c", &r, &b, &tail) != 2 || r <= 0 || r > 1e6 || b < 1 || b > 1000000)
            return err_set(err, MA_ERR_INVALID, "MAGIC_SERVER_RATE=%s: write RATE/BURST, e.g. 50/100", rate);
        c->rate_per_s = r;
        c->rate_burst = b;
    }
    return MA_OK;
}

int server_config_listen(ServerConfig *c, const char *addr, Err *err)
{
    const char *colon = strrchr(addr, ':');
    if (!colon)
        return err_set(err, MA_ERR_INVALID, "--listen %s: write ADDR:PORT, e.g. 127.0.0.1:8787", addr);
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || colon[1] == '\0' || port < 0 || port > 65535)
        return err_set(err, MA_ERR_INVALID, "--listen %s: the port must be 0 to 65535", addr);
    size_t hl = (size_t)(colon - addr);
    const char *host = addr;
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host++;
        hl -= 2;
    }
    if (hl >= sizeof c->listen_host)
        return err_set(err, MA_ERR_INVALID, "--listen %s: the address is too long", addr);
    if (hl == 0)
        snprintf(c->listen_host, sizeof c->listen_host, "0.0.0.0");
    else
        snprintf(c->listen_host, sizeof c->listen_host, "%.*s", (int)hl, host);
    c->listen_port = (int)port;
    return MA_OK;
}

void server_token_hash(const char *token, char out[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(token), (const uint8_t *)token);
    sha256_digest(&ctx, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}
