/*
 * A question's terms (search/query.c): distinct, sorted, at most 32; any
 * text gives terms or none, never an error but for invalid UTF-8 and a
 * question over 64 KiB.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "oyl/oyl.h"
#include "search/query.h"

static oyl__tokenizer *english;

static void setup(void)
{
	ck_assert_int_eq(oyl__tokenizer_new("english", &english), OYL_OK);
}

static void teardown(void)
{
	oyl__tokenizer_free(english);
}

/* The terms of q, space-separated. */
static const char *terms(const char *q)
{
	static char out[4096];
	oyl__query_terms t;
	ck_assert_int_eq(oyl__query_terms_of(english, q, strlen(q), &t), OYL_OK);
	out[0] = '\0';
	for (size_t i = 0; i < t.n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, t.term[i]);
	}
	return out;
}

START_TEST(terms_are_distinct_and_sorted)
{
	ck_assert_str_eq(terms("How do I lock a mutex? Locking mutexes"), "lock mutex");
	ck_assert_str_eq(terms("mutex lock"), terms("lock mutex"));
	ck_assert_str_eq(terms("pthread_mutex_lock"), "lock mutex pthread pthread_mutex_lock");
}
END_TEST

START_TEST(any_text_is_a_question)
{
	const char *odd[] = {"\"quoted\" AND NOT (operators) OR -minus +plus* ~near:3",
			     "' OR 1=1; DROP TABLE documents; --", "%_\\", "?", "", "   ",
			     "the of and to in", "NEAR(a b) \"unterminated", "a:b:c", "::", "\xe2\x80\x94"};
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		oyl__query_terms t;
		ck_assert_int_eq(oyl__query_terms_of(english, odd[i], strlen(odd[i]), &t), OYL_OK);
	}
	ck_assert_str_eq(terms("the of and to in"), "");
	ck_assert_str_eq(terms("?"), "");
	ck_assert_str_eq(terms("' OR 1=1; DROP TABLE documents; --"), "1 document drop tabl");
}
END_TEST

START_TEST(ten_kilobytes_of_garbage_give_at_most_32_terms)
{
	char *q = malloc(10240 + 1);
	srand(5);
	for (size_t i = 0; i < 10240; i++)
		q[i] = (char)(0x21 + rand() % 94); /* printable ASCII */
	q[10240] = '\0';
	oyl__query_terms t;
	ck_assert_int_eq(oyl__query_terms_of(english, q, 10240, &t), OYL_OK);
	ck_assert_uint_le(t.n, OYL__BM25_TERMS_MAX);
	ck_assert_uint_gt(t.dropped, 0);
	for (size_t i = 1; i < t.n; i++)
		ck_assert_int_lt(strcmp(t.term[i - 1], t.term[i]), 0);
	free(q);
}
END_TEST

START_TEST(invalid_utf8_and_oversized_questions_are_refused)
{
	oyl__query_terms t;
	ck_assert_int_eq(oyl__query_terms_of(english, "caf\xe9", 4, &t), OYL_EINVAL);
	ck_assert_uint_eq(t.n, 0);
	size_t n = OYL__QUERY_MAX + 1;
	char *q = malloc(n);
	memset(q, 'a', n);
	ck_assert_int_eq(oyl__query_terms_of(english, q, n, &t), OYL_EINVAL);
	ck_assert_int_eq(oyl__query_terms_of(english, q, n - 1, &t), OYL_OK);
	free(q);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("query_terms");
	TCase *tc = tcase_create("query_terms");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, terms_are_distinct_and_sorted);
	tcase_add_test(tc, any_text_is_a_question);
	tcase_add_test(tc, ten_kilobytes_of_garbage_give_at_most_32_terms);
	tcase_add_test(tc, invalid_utf8_and_oversized_questions_are_refused);
	suite_add_tcase(s, tc);
	return t_run(s);
}
