/* Records: copying rows out of the backend, getters, JSON export. */
#include "records/record.h"
#include "core/validate.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int has_bytes(int type)
{
	return type == OYL_TYPE_TEXT || type == OYL_TYPE_UUID || type == OYL_TYPE_JSON ||
	       type == OYL_TYPE_BLOB;
}

int oyl__record_copy(const oyl_table *t, const oyl_value *vals, size_t n, oyl__record **out)
{
	*out = NULL;
	if (n != t->ncols)
		return OYL_ESTORAGE;
	size_t size = sizeof(oyl__record) + n * sizeof(oyl_value);
	for (size_t i = 0; i < n; i++)
		if (has_bytes(vals[i].type) && vals[i].s)
			size += vals[i].n + 1;
	oyl__record *r = oyl__malloc(size);
	if (!r)
		return OYL_ENOMEM;
	r->t = t;
	r->vals = (oyl_value *)(r + 1);
	r->counts[0] = r->counts[1] = -1;
	char *bytes = (char *)(r->vals + n);
	for (size_t i = 0; i < n; i++) {
		r->vals[i] = vals[i];
		if (has_bytes(vals[i].type) && vals[i].s) {
			memcpy(bytes, vals[i].s, vals[i].n);
			bytes[vals[i].n] = '\0';
			r->vals[i].s = bytes;
			bytes += vals[i].n + 1;
		} else if (has_bytes(vals[i].type)) {
			r->vals[i].type = OYL_TYPE_NULL;
		}
	}
	*out = r;
	return OYL_OK;
}

void oyl__record_free(oyl__record *r)
{
	oyl__free(r);
}

int oyl__record_cb(const oyl_value *vals, size_t n, void *payload)
{
	oyl__record_sink *sink = payload;
	if (sink->rec) /* get() delivers one row; keep the first */
		return OYL_OK;
	return oyl__record_copy(sink->t, vals, n, &sink->rec);
}

const char *oyl__record_text(const oyl__record *r, int col)
{
	if (!r || col < 0 || (size_t)col >= r->t->ncols || r->vals[col].type == OYL_TYPE_NULL)
		return NULL;
	return r->vals[col].s;
}

int64_t oyl__record_int(const oyl__record *r, int col)
{
	if (!r || col < 0 || (size_t)col >= r->t->ncols || r->vals[col].type == OYL_TYPE_NULL)
		return 0;
	return r->vals[col].i;
}

double oyl__record_real(const oyl__record *r, int col)
{
	if (!r || col < 0 || (size_t)col >= r->t->ncols || r->vals[col].type != OYL_TYPE_REAL)
		return 0.0;
	return r->vals[col].r;
}

/* ISO 8601 UTC with microseconds: 2026-11-23T17:52:00.123456Z */
static void format_time(int64_t us, char out[40])
{
	int64_t secs = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs -= 1;
	}
	time_t tt = (time_t)secs;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char date[24];
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%06lldZ", date, (long long)frac);
}

static cJSON *value_to_json(const oyl_value *v)
{
	char buf[40];
	switch (v->type) {
	case OYL_TYPE_NULL:
		return cJSON_CreateNull();
	case OYL_TYPE_TEXT:
	case OYL_TYPE_UUID:
		return cJSON_CreateString(v->s);
	case OYL_TYPE_INT:
		return cJSON_CreateNumber((double)v->i);
	case OYL_TYPE_BOOL:
		return cJSON_CreateBool(v->i != 0);
	case OYL_TYPE_REAL:
		return cJSON_CreateNumber(v->r);
	case OYL_TYPE_TIME:
		format_time(v->i, buf);
		return cJSON_CreateString(buf);
	case OYL_TYPE_JSON: {
		int oom = 0;
		cJSON *j = oyl__json_parse(v->s, v->n, &oom);
		return (j || oom) ? j : cJSON_CreateString(v->s);
	}
	default:
		return NULL; /* BLOBs (embeddings) are not exported */
	}
}

int oyl__record_to_json(const oyl__record *r, char **json)
{
	cJSON *obj = cJSON_CreateObject();
	if (!obj)
		return OYL_ENOMEM;
	for (size_t i = 0; i < r->t->ncols; i++) {
		const oyl_column *c = &r->t->cols[i];
		if ((c->flags & OYL_COL_SECRET) || c->type == OYL_TYPE_BLOB)
			continue;
		cJSON *item = value_to_json(&r->vals[i]);
		if (!item || !cJSON_AddItemToObject(obj, c->name, item)) {
			cJSON_Delete(item);
			cJSON_Delete(obj);
			return OYL_ENOMEM;
		}
	}
	/* Derived figures, where the record carries them (a tenant's counts). */
	static const char *const count_names[2] = {"user_count", "document_count"};
	for (int i = 0; i < 2; i++) {
		if (r->counts[i] < 0)
			continue;
		cJSON *n = cJSON_CreateNumber((double)r->counts[i]);
		if (!n || !cJSON_AddItemToObject(obj, count_names[i], n)) {
			cJSON_Delete(n);
			cJSON_Delete(obj);
			return OYL_ENOMEM;
		}
	}
	char *text = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	if (!text)
		return OYL_ENOMEM;
	*json = oyl__strdup(text);
	cJSON_free(text);
	return *json ? OYL_OK : OYL_ENOMEM;
}

oyl_value oyl__val_null(void)
{
	return (oyl_value){OYL_TYPE_NULL, 0, 0, NULL, 0};
}

oyl_value oyl__val_text(int type, const char *s)
{
	if (!s)
		return oyl__val_null();
	return (oyl_value){type, 0, 0, s, strlen(s)};
}

oyl_value oyl__val_int(int type, int64_t i)
{
	return (oyl_value){type, i, 0, NULL, 0};
}
