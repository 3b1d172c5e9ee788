/* json_field.c — one field of a data file's JSON object, checked (see json_field.h). */
#include "util/json_field.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int json_field_int(const cJSON *o, const char *key, int lo, int hi, int def, int required, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        *out = def;
        return required ? -1 : 0;
    }
    return json_value_int(v, lo, hi, out);
}

int json_value_int(const cJSON *v, int lo, int hi, int *out)
{
    /* Compared as doubles, so a huge number is refused rather than wrapped into range. */
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
        return -1;
    *out = (int)v->valuedouble;
    return 0;
}

int json_field_str(const cJSON *o, const char *key, char *buf, size_t size, const char *def, int flags)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || ((flags & JSON_FIELD_NULL_ABSENT) && cJSON_IsNull(v))) {
        if (!def) {
            buf[0] = '\0';
            return -1;
        }
        snprintf(buf, size, "%s", def);
        return 0;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= size || ((flags & JSON_FIELD_NONEMPTY) && !v->valuestring[0]))
        return -1;
    snprintf(buf, size, "%s", v->valuestring);
    return 0;
}

const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int json_int(const cJSON *o, const char *key, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valueint : def;
}

cJSON *json_parse_data(const char *json, size_t len, const char *source, Err *err)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        long off = at && at >= json && at <= json + len ? (long)(at - json) : -1;
        err_set(err, MA_ERR_INVALID, "%s: not valid JSON (near byte %ld)", source, off);
    }
    return root;
}
