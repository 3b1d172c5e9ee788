/* json_field.h — reading one field of a JSON object in a data file, with the checks every data
 * book makes (a whole number in a range, a string that fits its buffer).
 *
 * Each returns 0 when the field is fine, or absent and allowed to be, and -1 when it is not. They
 * write no message: the caller knows the file, the entry and the field, and says all three. */
#ifndef MA_UTIL_JSON_FIELD_H
#define MA_UTIL_JSON_FIELD_H

#include <stddef.h>

#include <cJSON.h>

#include "util/err.h"

/* Field key of o as a whole number in lo..hi into *out. Absent: *out = def, and -1 when
 * required (def is then only a placeholder). Present but not a whole number in range: -1, *out
 * untouched. */
int json_field_int(const cJSON *o, const char *key, int lo, int hi, int def, int required, int *out);
/* The value v (an array item, say) as a whole number in lo..hi into *out: 0, or -1 (*out
 * untouched) when v is missing, not a number, not whole, or out of range. */
int json_value_int(const cJSON *v, int lo, int hi, int *out);

/* json_field_str's flags. */
enum {
    JSON_FIELD_NONEMPTY = 1,  /* a present "" is refused */
    JSON_FIELD_NULL_ABSENT = 2, /* a JSON null counts as absent */
};

/* Field key of o as a string shorter than size into buf. Absent: def is copied (def "" for an
 * optional field that starts empty), or, when def is NULL (the field is required), buf is
 * emptied and -1 returned. Present but not a string, too long, or empty with JSON_FIELD_NONEMPTY:
 * -1. */
int json_field_str(const cJSON *o, const char *key, char *buf, size_t size, const char *def, int flags);

/* Parses a data file's text (len bytes, read from source), or returns NULL with err saying
 * "SOURCE: not valid JSON (near byte N)". The caller frees the tree with cJSON_Delete. */
cJSON *json_parse_data(const char *json, size_t len, const char *source, Err *err);

/* Unchecked reads, for JSON a loader has already checked (or where a missing field simply
 * means the default): field key of o as a string (NULL when absent or not a string; o may be
 * NULL), or as an int (def when absent or not a number). */
const char *json_str(const cJSON *o, const char *key);
int json_int(const cJSON *o, const char *key, int def);

#endif
