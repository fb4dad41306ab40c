/*
 * oyl_kb_search through the public API, on every backend (argv[1]): the
 * ranking BM25 gives by hand, every getter, highlight spans, a search of
 * an assistant's knowledge bases, the document filter, limits and
 * minimum scores, any text as a question, who may search, a deleted or
 * reprocessed document, and one tenant's ingestion leaving another's
 * scores as they were.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static oyl_db *db;
static t_two_tenants w; /* tenants A and B, their people and knowledge bases */

static void setup(void)
{
	db = t_open();
	t_two_tenants_make(db, &w);
}

static void teardown(void)
{
	t_two_tenants_free(&w);
	oyl_db_close(db);
}

/* Ingests text as one document (one chunk when short); its id into id. */
static void ingest(oyl_actor *who, const char *kb, const char *name, const char *text,
		   char id[37])
{
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	s.data = text;
	s.length = strlen(text);
	s.name = name;
	s.mime_type = "text/plain";
	oyl_document *d = NULL;
	int rc = oyl_doc_ingest(who, kb, &s, NULL, &d);
	ck_assert_msg(rc == OYL_OK, "ingest %s: %s", name, oyl_db_errmsg(db));
	if (id)
		memcpy(id, oyl_document_id(d), 37);
	oyl_document_free(d);
}

static oyl_search_results *search(oyl_actor *who, const char *target, const char *q,
				  const oyl_search_options *o)
{
	oyl_search_results *r = NULL;
	int rc = oyl_kb_search(who, target, q, o, &r);
	ck_assert_msg(rc == OYL_OK, "search [%s]: %s %s", q, oyl_status_name(rc),
		      oyl_db_errmsg(db));
	return r;
}

/* BM25 as doc/retrieval.md writes it, for one term. */
static double bm25(double n, double df, double tf, double len, double avg)
{
	double idf = log(1.0 + (n - df + 0.5) / (df + 0.5));
	double norm = 1.2 * (1.0 - 0.75 + 0.75 * len / avg);
	return idf * tf * 2.2 / (tf + norm);
}

START_TEST(scores_are_bm25_over_the_knowledge_base)
{
	char d1[37], d2[37], d3[37];
	/* lengths in terms: 4 (zebra x3 + stripe), 6, 3 (no zebra) */
	ingest(w.admin_a, w.kb_a, "one.txt", "zebra zebra zebra stripes", d1);
	ingest(w.admin_a, w.kb_a, "two.txt", "a zebra grazes near many horses quietly", d2);
	ingest(w.admin_a, w.kb_a, "three.txt", "horses run fast", d3);
	oyl_search_results *r = search(w.user_a, w.kb_a, "Zebras?", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 2);
	ck_assert_str_eq(oyl_search_document_id(r, 0), d1);
	ck_assert_str_eq(oyl_search_document_id(r, 1), d2);
	ck_assert_str_eq(oyl_search_document_name(r, 0), "one.txt");
	ck_assert_str_eq(oyl_search_knowledge_base_id(r, 0), w.kb_a);
	/* "a" is a stop word: two.txt has 6 terms */
	double avg = (4.0 + 6.0 + 3.0) / 3.0;
	ck_assert_double_eq_tol(oyl_search_score(r, 0), bm25(3, 2, 3, 4, avg), 1e-9);
	ck_assert_double_eq_tol(oyl_search_score(r, 1), bm25(3, 2, 1, 6, avg), 1e-9);
	size_t n;
	ck_assert_str_eq(oyl_search_text(r, 0, &n), "zebra zebra zebra stripes");
	ck_assert_uint_eq(n, 25);
	ck_assert_int_eq(oyl_search_ordinal(r, 0), 0);
	ck_assert_int_eq(oyl_search_start_offset(r, 0), 0);
	ck_assert_int_eq(oyl_search_end_offset(r, 0), 25);
	ck_assert_int_eq(oyl_search_page(r, 0), 0);
	ck_assert_ptr_null(oyl_search_section(r, 0));
	ck_assert_ptr_nonnull(oyl_search_chunk_id(r, 0));
	/* the spans: each "zebra" */
	ck_assert_uint_eq(oyl_search_span_count(r, 0), 3);
	size_t s, e;
	ck_assert_int_eq(oyl_search_span(r, 0, 2, &s, &e), OYL_OK);
	ck_assert_uint_eq(s, 12);
	ck_assert_uint_eq(e, 17);
	ck_assert_int_eq(oyl_search_span(r, 0, 3, &s, &e), OYL_EINVAL);
	/* out of range: nothing, never a crash */
	ck_assert_ptr_null(oyl_search_chunk_id(r, 2));
	ck_assert_ptr_null(oyl_search_text(r, 2, &n));
	ck_assert_uint_eq(n, 0);
	oyl_search_free(r);

	/* k1 and b of the knowledge base count at once */
	oyl_kb_search_settings set = OYL_KB_SEARCH_SETTINGS_INIT;
	set.bm25_k1 = 0.0; /* tf saturates at once: idf alone */
	ck_assert_int_eq(oyl_kb_set_search(w.admin_a, w.kb_a, &set, NULL), OYL_OK);
	r = search(w.user_a, w.kb_a, "zebra", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 2);
	ck_assert_double_eq_tol(oyl_search_score(r, 0), log(1.0 + 1.5 / 2.5), 1e-9);
	ck_assert_double_eq_tol(oyl_search_score(r, 0), oyl_search_score(r, 1), 1e-12);
	/* a tie goes by document id */
	ck_assert_int_lt(strcmp(oyl_search_document_id(r, 0), oyl_search_document_id(r, 1)), 0);
	oyl_search_free(r);
}
END_TEST

START_TEST(identifiers_are_found_whole_and_by_parts)
{
	char d[37];
	ingest(w.admin_a, w.kb_a, "man.txt",
	       "Call pthread_mutex_lock before ssh-keygen runs; see os.path.join.", d);
	const char *queries[] = {"pthread_mutex_lock", "mutex", "ssh-keygen", "keygen",
				 "os.path.join", "JOIN"};
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		oyl_search_results *r = search(w.user_a, w.kb_a, queries[i], NULL);
		ck_assert_msg(oyl_search_count(r) == 1, "query %s", queries[i]);
		oyl_search_free(r);
	}
	/* the whole and its parts highlight as one span */
	oyl_search_results *r = search(w.user_a, w.kb_a, "pthread_mutex_lock", NULL);
	size_t s, e;
	ck_assert_int_eq(oyl_search_span(r, 0, 0, &s, &e), OYL_OK);
	ck_assert_uint_eq(s, 5);
	ck_assert_uint_eq(e, 5 + strlen("pthread_mutex_lock"));
	oyl_search_free(r);
}
END_TEST

START_TEST(an_assistant_searches_all_its_knowledge_bases)
{
	oyl_knowledge_base *k = NULL;
	oyl_knowledge_base *first = NULL;
	ck_assert_int_eq(oyl_kb_get(w.root, w.kb_a, &first), OYL_OK);
	const char *assistant = oyl_kb_assistant_id(first);
	ck_assert_int_eq(oyl_kb_create(w.admin_a, assistant, "second", NULL, &k), OYL_OK);
	char d1[37], d2[37];
	ingest(w.admin_a, w.kb_a, "a.txt", "the lighthouse keeper", d1);
	ingest(w.admin_a, oyl_kb_id(k), "b.txt", "a lighthouse on the cliff, lighthouse lamp", d2);
	oyl_search_results *r = search(w.user_a, assistant, "lighthouse", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 2);
	int from_second = strcmp(oyl_search_knowledge_base_id(r, 0), oyl_kb_id(k)) == 0 ||
			  strcmp(oyl_search_knowledge_base_id(r, 1), oyl_kb_id(k)) == 0;
	ck_assert(from_second);
	ck_assert(oyl_search_score(r, 0) >= oyl_search_score(r, 1));
	oyl_search_free(r);
	oyl_kb_free(k);
	oyl_kb_free(first);
}
END_TEST

START_TEST(filters_limits_and_minimum_scores)
{
	char ids[12][37];
	for (int i = 0; i < 12; i++) {
		char name[32], text[128];
		snprintf(name, sizeof name, "d%d.txt", i);
		snprintf(text, sizeof text, "marmot %s burrow number %d", i % 2 ? "alpine" : "", i);
		ingest(w.admin_a, w.kb_a, name, text, ids[i]);
	}
	oyl_search_results *r = search(w.user_a, w.kb_a, "marmot", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 10); /* the default limit */
	double top = oyl_search_score(r, 0);
	oyl_search_free(r);
	oyl_search_options o = OYL_SEARCH_OPTIONS_INIT;
	o.limit = 100;
	r = search(w.user_a, w.kb_a, "marmot", &o);
	ck_assert_uint_eq(oyl_search_count(r), 12);
	oyl_search_free(r);
	/* two documents only; their scores are the whole knowledge base's */
	const char *two[] = {ids[3], ids[0]};
	o.document_ids = two;
	o.document_count = 2;
	r = search(w.user_a, w.kb_a, "marmot", &o);
	ck_assert_uint_eq(oyl_search_count(r), 2);
	ck_assert_str_eq(oyl_search_document_id(r, 0), ids[0]); /* shorter: higher */
	ck_assert_double_eq_tol(oyl_search_score(r, 0), top, 1e-12);
	oyl_search_free(r);
	o.document_ids = NULL;
	o.document_count = 0;
	o.min_score = top + 1e-9;
	r = search(w.user_a, w.kb_a, "marmot", &o);
	ck_assert_uint_eq(oyl_search_count(r), 0);
	oyl_search_free(r);
	/* bad options: a status, a message, no results */
	oyl_search_results *none = (oyl_search_results *)0x1;
	o = (oyl_search_options)OYL_SEARCH_OPTIONS_INIT;
	o.limit = 101;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "marmot", &o, &none), OYL_EINVAL);
	ck_assert_ptr_null(none);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "opts.limit"));
	o.limit = 0;
	o.mode = 7;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "marmot", &o, &none), OYL_EINVAL);
	o.mode = OYL_SEARCH_LEXICAL;
	o.min_score = NAN;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "marmot", &o, &none), OYL_EINVAL);
	o.min_score = 0;
	const char *bad[] = {"not-a-uuid"};
	o.document_ids = bad;
	o.document_count = 1;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "marmot", &o, &none), OYL_EINVAL);
	o = (oyl_search_options)OYL_SEARCH_OPTIONS_INIT;
	o.size = 4;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "marmot", &o, &none), OYL_EINVAL);
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "marmot", NULL, NULL), OYL_EMISUSE);
}
END_TEST

START_TEST(any_text_is_a_question)
{
	ingest(w.admin_a, w.kb_a, "hostile.txt",
	       "someone typed ' OR '1'='1 into the form; 100%_ sure; DROP TABLE x; -- near", NULL);
	static const char *const questions[] = {
		"' OR '1'='1", "'; DROP TABLE x; --", "\"unbalanced", "NEAR(a b)", "a AND NOT b",
		"zeb*", "-zebra", "col:zebra", "%_\\", "(((", "", " ", "the of and", "\xe2\x80\x99",
		"\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"};
	for (size_t i = 0; i < sizeof questions / sizeof questions[0]; i++) {
		oyl_search_results *r = search(w.user_a, w.kb_a, questions[i], NULL);
		oyl_search_free(r);
	}
	/* what the words find, and only that */
	oyl_search_results *r = search(w.user_a, w.kb_a, "' OR '1'='1", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 1);
	oyl_search_free(r);
	r = search(w.user_a, w.kb_a, "the of and", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 0);
	oyl_search_free(r);
	/* 10 kB of garbage */
	char *garbage = malloc(10241);
	unsigned x = 12345;
	for (int i = 0; i < 10240; i++) {
		x = x * 1103515245u + 12345u;
		garbage[i] = (char)(' ' + (x >> 16) % 95);
	}
	garbage[10240] = '\0';
	r = search(w.user_a, w.kb_a, garbage, NULL);
	oyl_search_free(r);
	free(garbage);
	/* invalid UTF-8 and oversized: EINVAL, with a message */
	oyl_search_results *none = NULL;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "bad \xff byte", NULL, &none), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "UTF-8"));
	char *big = malloc(70000);
	memset(big, 'a', 69999);
	big[69999] = '\0';
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, big, NULL, &none), OYL_EINVAL);
	free(big);
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, NULL, NULL, &none), OYL_EINVAL);
	oyl_search_options o = OYL_SEARCH_OPTIONS_INIT;
	o.mode = OYL_SEARCH_VECTOR;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "form", &o, &none), OYL_ENOTSUP);
}
END_TEST

START_TEST(only_the_tenant_searches_its_knowledge_bases)
{
	ingest(w.admin_a, w.kb_a, "a.txt", "secret plans of tenant a", NULL);
	ingest(w.admin_b, w.kb_b, "b.txt", "secret plans of tenant b", NULL);
	oyl_search_results *r = NULL;
	/* another tenant's knowledge base reads as one that does not exist */
	ck_assert_int_eq(oyl_kb_search(w.admin_b, w.kb_a, "secret", NULL, &r), OYL_ENOTFOUND);
	char msg[512];
	snprintf(msg, sizeof msg, "%s", oyl_db_errmsg(db));
	ck_assert_int_eq(oyl_kb_search(w.admin_b, "00000000-0000-4000-8000-000000000000", "secret",
				       NULL, &r),
			 OYL_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(msg, "not found"));
	/* every role of the tenant, and the platform */
	r = search(w.user_a, w.kb_a, "secret", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 1);
	ck_assert_str_eq(oyl_search_document_name(r, 0), "a.txt");
	oyl_search_free(r);
	r = search(w.root, w.kb_b, "secret", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 1);
	ck_assert_str_eq(oyl_search_document_name(r, 0), "b.txt");
	oyl_search_free(r);
}
END_TEST

START_TEST(a_deleted_document_never_answers)
{
	char d1[37], d2[37];
	ingest(w.admin_a, w.kb_a, "a.txt", "glacier ice", d1);
	ingest(w.admin_a, w.kb_a, "b.txt", "glacier melt water", d2);
	ck_assert_int_eq(oyl_doc_delete(w.admin_a, d1), OYL_OK);
	oyl_search_results *r = search(w.user_a, w.kb_a, "glacier", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 1);
	ck_assert_str_eq(oyl_search_document_id(r, 0), d2);
	/* the statistics follow: N is 1 now, as if a.txt had never been */
	double only = oyl_search_score(r, 0);
	oyl_search_free(r);
	ck_assert_double_eq_tol(only, bm25(1, 1, 1, 3, 3), 1e-9);
	ck_assert_int_eq(oyl_doc_delete(w.admin_a, d2), OYL_OK);
	r = search(w.user_a, w.kb_a, "glacier", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 0);
	oyl_search_free(r);
	/* a reprocessed document answers as before, once */
	ingest(w.admin_a, w.kb_a, "c.txt", "fjord and glacier", d1);
	r = search(w.user_a, w.kb_a, "glacier", NULL);
	double before = oyl_search_score(r, 0);
	oyl_search_free(r);
	ck_assert_int_eq(oyl_doc_reprocess(w.admin_a, d1, NULL, NULL), OYL_OK);
	r = search(w.user_a, w.kb_a, "glacier", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 1);
	ck_assert_double_eq_tol(oyl_search_score(r, 0), before, 1e-12);
	oyl_search_free(r);
	/* a deleted knowledge base: its index is gone with it (kept in step by
	 * the cascade; api's cascade test counts the rows) */
	ck_assert_int_eq(oyl_kb_delete(w.admin_a, w.kb_a), OYL_OK);
	oyl_search_results *gone = NULL;
	ck_assert_int_eq(oyl_kb_search(w.user_a, w.kb_a, "glacier", NULL, &gone), OYL_ENOTFOUND);
}
END_TEST

START_TEST(one_tenant_s_ingestion_never_moves_another_s_scores)
{
	ingest(w.admin_a, w.kb_a, "a1.txt", "river delta sediment", NULL);
	ingest(w.admin_a, w.kb_a, "a2.txt", "delta wing aircraft", NULL);
	oyl_search_results *r = search(w.user_a, w.kb_a, "delta sediment", NULL);
	size_t n = oyl_search_count(r);
	double before[2] = {oyl_search_score(r, 0), oyl_search_score(r, 1)};
	oyl_search_free(r);
	ck_assert_uint_eq(n, 2);
	/* B fills its own knowledge base with the same words */
	for (int i = 0; i < 30; i++) {
		char name[32];
		snprintf(name, sizeof name, "b%d.txt", i);
		char text[64];
		snprintf(text, sizeof text, "delta delta sediment %d", i);
		ingest(w.admin_b, w.kb_b, name, text, NULL);
	}
	r = search(w.user_a, w.kb_a, "delta sediment", NULL);
	ck_assert_uint_eq(oyl_search_count(r), 2);
	ck_assert_double_eq(oyl_search_score(r, 0), before[0]);
	ck_assert_double_eq(oyl_search_score(r, 1), before[1]);
	oyl_search_free(r);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("search");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, scores_are_bm25_over_the_knowledge_base);
	tcase_add_test(tc, identifiers_are_found_whole_and_by_parts);
	tcase_add_test(tc, an_assistant_searches_all_its_knowledge_bases);
	tcase_add_test(tc, filters_limits_and_minimum_scores);
	tcase_add_test(tc, any_text_is_a_question);
	tcase_add_test(tc, only_the_tenant_searches_its_knowledge_bases);
	tcase_add_test(tc, a_deleted_document_never_answers);
	tcase_add_test(tc, one_tenant_s_ingestion_never_moves_another_s_scores);
	suite_add_tcase(s, tc);
	return t_run(s);
}
