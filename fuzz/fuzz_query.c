/*
 * The whole query path of oyl_kb_search on any bytes: the question's
 * terms, the backend's statement for their postings (SQLite, the embedded
 * default), BM25, the chunks read back and their highlight spans.
 *
 * The first call builds a database in memory with a small knowledge base
 * whose documents hold hostile text (SQL, quotes, FTS and tsquery
 * syntax, identifiers).  Input: the question (NUL-terminated at its first
 * NUL byte).  Checked after every input: valid UTF-8 is OYL_OK and
 * anything else OYL_EINVAL, never another status (no backend syntax
 * error); at most 10 results, scores finite, positive and best first;
 * every span a non-empty range inside its result's text; the same
 * question again gives the same results.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "oyl/oyl.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_common.h's check, for properties that need no more words */
#define CHECK(cond) FUZZ_CHECK(cond, "%s", "see the property")

static oyl_db *db;
static oyl_actor *root;
static char kb[37];

static const char *const documents[] = {
	"someone typed ' OR '1'='1 into the form; then '; DROP TABLE x; -- ran",
	"zebra* NEAR(stripes) AND NOT \"horses\" -col:zebra %_\\ (((",
	"Call pthread_mutex_lock before ssh-keygen; see os.path.join and std::vector",
	"Straße, ÉCOLE, don’t stop: 日本語のテキスト and ελληνικά",
	"the quick brown fox jumps over the lazy dog 3.11 2024-01-01",
};

static void build(void)
{
	if (oyl_db_open(&db, "sqlite::memory:", NULL) || oyl_db_migrate(db) ||
	    oyl_actor_superadmin(db, &root))
		abort();
	oyl_tenant *t = NULL;
	oyl_workspace *w = NULL;
	oyl_teammate *tm = NULL;
	oyl_assistant *a = NULL;
	oyl_knowledge_base *k = NULL;
	CHECK(oyl_tenant_create(root, "F", "fuzz", NULL, &t) == OYL_OK);
	CHECK(oyl_workspace_create(root, oyl_tenant_id(t), "W", &w) == OYL_OK);
	CHECK(oyl_teammate_create(root, oyl_workspace_id(w), "T", NULL, &tm) == OYL_OK);
	CHECK(oyl_assistant_create(root, oyl_teammate_id(tm), "A", &a) == OYL_OK);
	CHECK(oyl_kb_create(root, oyl_assistant_id(a), "K", NULL, &k) == OYL_OK);
	snprintf(kb, sizeof kb, "%s", oyl_kb_id(k));
	for (size_t i = 0; i < sizeof documents / sizeof documents[0]; i++) {
		oyl_doc_source s = OYL_DOC_SOURCE_INIT;
		s.data = documents[i];
		s.length = strlen(documents[i]);
		s.name = "doc.txt";
		s.mime_type = "text/plain";
		CHECK(oyl_doc_ingest(root, kb, &s, NULL, NULL) == OYL_OK);
	}
	oyl_tenant_free(t);
	oyl_workspace_free(w);
	oyl_teammate_free(tm);
	oyl_assistant_free(a);
	oyl_kb_free(k);
}

static uint64_t digest(const oyl_search_results *r)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < oyl_search_count(r); i++) {
		double s = oyl_search_score(r, i);
		const unsigned char *b = (const unsigned char *)&s;
		for (size_t j = 0; j < sizeof s; j++)
			h = (h ^ b[j]) * 1099511628211u;
		const char *id = oyl_search_chunk_id(r, i);
		for (; *id; id++)
			h = (h ^ (unsigned char)*id) * 1099511628211u;
	}
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db)
		build();
	char *q = malloc(size + 1);
	if (!q)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	size_t n = strlen(q);
	oyl_search_results *r = NULL;
	int rc = oyl_kb_search(root, kb, q, NULL, &r);
	int valid = oyl__utf8_valid(q, n) && n <= 65536;
	if (rc != (valid ? OYL_OK : OYL_EINVAL)) {
		fprintf(stderr, "fuzz: status %s (%s) for a question %s valid UTF-8\n",
			oyl_status_name(rc), oyl_db_errmsg(db), valid ? "of" : "not of");
		abort();
	}
	if (rc == OYL_OK) {
		size_t count = oyl_search_count(r);
		CHECK(count <= 10);
		for (size_t i = 0; i < count; i++) {
			double s = oyl_search_score(r, i);
			CHECK(isfinite(s) && s > 0);
			CHECK(i == 0 || s <= oyl_search_score(r, i - 1));
			size_t len = 0;
			CHECK(oyl_search_text(r, i, &len) != NULL);
			for (size_t j = 0; j < oyl_search_span_count(r, i); j++) {
				size_t a, b;
				CHECK(oyl_search_span(r, i, j, &a, &b) == OYL_OK);
				CHECK(a < b && b <= len);
			}
		}
		oyl_search_results *again = NULL;
		CHECK(oyl_kb_search(root, kb, q, NULL, &again) == OYL_OK);
		CHECK(digest(again) == digest(r));
		oyl_search_free(again);
	}
	oyl_search_free(r);
	free(q);
	return 0;
}
