/* Validation of every text that enters the library. */
#include "core/validate.h"

#include <cjson/cJSON.h>
#include <string.h>

static size_t utf8_chars(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += ((unsigned char)s[i] & 0xc0) != 0x80;
	return count;
}

int oyl__check_text(oyl_db *db, const char *field, const char *s, size_t min_chars,
		    size_t max_bytes, int multiline)
{
	if (!s)
		return oyl__fail(db, OYL_EINVAL, "%s: required", field);
	size_t n = strnlen(s, max_bytes + 1);
	if (n > max_bytes)
		return oyl__fail(db, OYL_EINVAL, "%s: longer than %zu bytes", field, max_bytes);
	if (!oyl__utf8_valid(s, n))
		return oyl__fail(db, OYL_EINVAL, "%s: not valid UTF-8", field);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 || c == 0x7f) &&
		    !(multiline && (c == '\n' || c == '\t' || c == '\r')))
			return oyl__fail(db, OYL_EINVAL, "%s: contains a control character", field);
	}
	if (utf8_chars(s, n) < min_chars)
		return oyl__fail(db, OYL_EINVAL, "%s: must not be empty", field);
	return OYL_OK;
}

int oyl__check_name(oyl_db *db, const char *field, const char *s)
{
	int rc = oyl__check_text(db, field, s, 1, OYL_NAME_MAX * 4, 0);
	if (rc)
		return rc;
	if (utf8_chars(s, strlen(s)) > OYL_NAME_MAX)
		return oyl__fail(db, OYL_EINVAL, "%s: longer than %d characters", field,
				 OYL_NAME_MAX);
	if (strspn(s, " ") == strlen(s))
		return oyl__fail(db, OYL_EINVAL, "%s: must not be blank", field);
	return OYL_OK;
}

int oyl__check_slug(oyl_db *db, const char *field, const char *s)
{
	if (!s)
		return oyl__fail(db, OYL_EINVAL, "%s: required", field);
	size_t n = strnlen(s, OYL_SLUG_MAX + 1);
	if (n == 0 || n > OYL_SLUG_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return oyl__fail(
			db, OYL_EINVAL,
			"%s: must be 1 to %d characters of lowercase letters, digits and hyphens",
			field, OYL_SLUG_MAX);
	return OYL_OK;
}

int oyl__check_email(oyl_db *db, const char *field, const char *s)
{
	int rc = oyl__check_text(db, field, s, 1, OYL_EMAIL_MAX, 0);
	if (rc)
		return rc;
	const char *at = strchr(s, '@');
	const char *domain = at ? at + 1 : NULL;
	size_t local_len = at ? (size_t)(at - s) : 0;
	if (!at || strchr(domain, '@') || local_len == 0 || local_len > 64 || !*domain ||
	    strpbrk(s, " \"(),:;<>[\\]") || !strchr(domain, '.') || domain[0] == '.' ||
	    domain[strlen(domain) - 1] == '.' || strstr(domain, ".."))
		return oyl__fail(db, OYL_EINVAL, "%s: not a valid e-mail address", field);
	return OYL_OK;
}

int oyl__check_id(oyl_db *db, const char *field, const char *s, char out[OYL_UUID_LEN + 1])
{
	if (!s)
		return oyl__fail(db, OYL_EINVAL, "%s: required", field);
	if (!oyl__uuid_norm(s, out))
		return oyl__fail(db, OYL_EINVAL, "%s: not a UUID", field);
	return OYL_OK;
}

/*
 * cJSON answers NULL both for malformed text and for a failed allocation
 * (its allocator belongs to the host, who may make it fail).  Parsing is
 * deterministic, so a second parse that succeeds means the first failure
 * was memory; a second failure while even a tiny allocation fails is too.
 * `end` (may be NULL) gets where the value ended.
 */
static cJSON *parse(const char *s, size_t n, const char **end, int *oom)
{
	*oom = 0;
	cJSON *j = cJSON_ParseWithLengthOpts(s, n, end, 0);
	if (j)
		return j;
	j = cJSON_ParseWithLengthOpts(s, n, end, 0);
	if (j)
		return j;
	cJSON *probe = cJSON_CreateNull();
	*oom = probe == NULL;
	cJSON_Delete(probe);
	return NULL;
}

cJSON *oyl__json_parse(const char *s, size_t n, int *oom)
{
	return parse(s, n, NULL, oom);
}

/* The first key that appears twice in one object, anywhere in j, or NULL. */
static const char *repeated_key(const cJSON *j)
{
	for (const cJSON *c = j ? j->child : NULL; c; c = c->next) {
		if (cJSON_IsObject(j) && c->string)
			for (const cJSON *d = c->next; d; d = d->next)
				if (d->string && strcmp(c->string, d->string) == 0)
					return c->string;
		const char *inner = repeated_key(c);
		if (inner)
			return inner;
	}
	return NULL;
}

/*
 * JSON as written, not as cJSON happens to read it: cJSON keeps the first
 * of two equal keys for lookups (and both in its tree), and stops at the
 * end of the first value.  A check that read one key while the stored
 * text keeps another would let the other through, so both are refused.
 */
int oyl__check_json_object(oyl_db *db, const char *field, const char *s, char **normalized)
{
	*normalized = NULL;
	int rc = oyl__check_text(db, field, s, 1, OYL_TEXT_MAX, 1);
	if (rc)
		return rc;
	const char *end = NULL;
	int oom = 0;
	cJSON *j = parse(s, strlen(s), &end, &oom);
	if (!j)
		return oom ? oyl__fail(db, OYL_ENOMEM, "%s: out of memory parsing JSON", field)
			   : oyl__fail(db, OYL_EINVAL, "%s: malformed JSON", field);
	const char *key = NULL;
	if (end && end[strspn(end, " \t\r\n")] != '\0')
		rc = oyl__fail(db, OYL_EINVAL, "%s: text after the JSON value", field);
	else if (!cJSON_IsObject(j))
		rc = oyl__fail(db, OYL_EINVAL, "%s: must be a JSON object", field);
	else if ((key = repeated_key(j)))
		rc = oyl__fail(db, OYL_EINVAL, "%s: key \"%.64s\" appears twice", field, key);
	char *text = rc == OYL_OK ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	if (rc != OYL_OK)
		return rc;
	if (text) {
		*normalized = oyl__strdup(text);
		cJSON_free(text);
	}
	return *normalized ? OYL_OK : oyl__fail(db, OYL_ENOMEM, "%s: out of memory", field);
}

int oyl__check_component_name(oyl_db *db, const char *field, const char *name, const char *what)
{
	size_t n = name ? strnlen(name, OYL__EMBEDDER_NAME_MAX + 1) : 0;
	int ok = n >= 1 && n <= OYL__EMBEDDER_NAME_MAX;
	for (size_t i = 0; ok && i < n; i++) {
		char c = name[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '.' || c == '_' || c == '-';
	}
	return ok ? OYL_OK
		  : oyl__fail(db, OYL_EINVAL,
			      "%s: 1 to %d letters, digits, '.', '_' or '-' name %s", field,
			      OYL__EMBEDDER_NAME_MAX, what);
}
