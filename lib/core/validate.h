/* Input validation shared by every public function: each failure is
 * OYL_EINVAL with a message naming the field, and nothing is written. */
#ifndef OYL_CORE_VALIDATE_H
#define OYL_CORE_VALIDATE_H

#include "core/internal.h"
#include "util/utf8.h"

#define OYL_NAME_MAX 200        /* characters of a name or title */
#define OYL_TEXT_MAX (1u << 20) /* bytes of a long text (system prompt) */
#define OYL_SLUG_MAX 63
#define OYL_EMAIL_MAX 254


/* Text of min..max characters (code points), valid UTF-8, no control
 * characters but tab/newline when `multiline`. */
int oyl__check_text(oyl_db *db, const char *field, const char *s, size_t min_chars,
		    size_t max_bytes, int multiline);
/* A name: 1..OYL_NAME_MAX characters, one line. */
int oyl__check_name(oyl_db *db, const char *field, const char *s);
/* A slug: 1..63 of [a-z0-9-]. */
int oyl__check_slug(oyl_db *db, const char *field, const char *s);
/* An e-mail address: local@domain, domain with a dot, no spaces. */
int oyl__check_email(oyl_db *db, const char *field, const char *s);
/* An id: a UUID, normalised into out. */
int oyl__check_id(oyl_db *db, const char *field, const char *s, char out[OYL_UUID_LEN + 1]);
/* The name a host registers a component under (an embedder, a
 * provider): 1 to 64 ASCII letters, digits, '.', '_' or '-'; else EINVAL
 * naming `field` and saying what it names (`what`). */
int oyl__check_component_name(oyl_db *db, const char *field, const char *name, const char *what);
/* cJSON_ParseWithLength telling malformed text from a failed allocation. */
struct cJSON;
struct cJSON *oyl__json_parse(const char *s, size_t n, int *oom);

/* A JSON object; *normalized (new) gets its compact form. */
int oyl__check_json_object(oyl_db *db, const char *field, const char *s, char **normalized);

#endif
