/* sha256.h — SHA-256 (FIPS 180-4), for storing session tokens as hashes.
 *
 * A small, well-known algorithm written out here rather than linking a
 * crypto library for one hash (libxcrypt, which we link for bcrypt, does not
 * export plain SHA-256). Checked against the FIPS 180-4 test vectors in
 * tests/test_hardening.c. Not for passwords: those are bcrypt (game/auth.c). */
#ifndef MA_UTIL_SHA256_H
#define MA_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 65 /* 64 hex digits and a NUL */

void sha256(const void *data, size_t len, uint8_t out[32]);
/* The hash of data as 64 lower-case hex digits; returns out. */
char *sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);

#endif
