/*
 * Both backends rank alike: one corpus of real text (this project's doc/
 * and the licences Debian ships in /usr/share/common-licenses) ingested
 * into a SQLite database and a PostgreSQL one, then 200 questions drawn
 * from the corpus's own words.  Each question's top 10 must have the same
 * scores within 1e-9 and the same chunks (document name, ordinal).  Ties
 * break by chunk key, whose document ids differ between the two
 * databases, so a run of tied scores is compared as a set (and the run
 * cut by the limit is not compared at all).  The same in each mode:
 * lexical, vector and hybrid (the tests' embedder: the same vectors on
 * both sides, so the same cosines).  argv[1] is "postgres"; argv[2..]
 * the corpus directories.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "test_embedder.h"

#define QUESTIONS 200
#define TOP 10

static char **dirs;
static int ndirs;

typedef struct corpus {
	char *path[256];
	char *text[256];
	size_t n;
} corpus;

static corpus cp;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	size_t got = fread(s, 1, (size_t)n, f);
	s[got] = '\0';
	fclose(f);
	return s;
}

static void load(void)
{
	for (int d = 0; d < ndirs; d++) {
		DIR *dir = opendir(dirs[d]);
		ck_assert_msg(dir != NULL, "corpus directory %s", dirs[d]);
		struct dirent *e;
		while ((e = readdir(dir)) && cp.n < 256) {
			char path[1024];
			snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
			struct stat st;
			if (e->d_name[0] == '.' || stat(path, &st) || !S_ISREG(st.st_mode) ||
			    st.st_size < 200)
				continue;
			cp.path[cp.n] = strdup(path);
			cp.text[cp.n++] = slurp(path);
		}
		closedir(dir);
	}
	ck_assert_uint_ge(cp.n, 20);
}

typedef struct side {
	oyl_db *db;
	oyl_actor *root;
	char kb[37];
} side;

static void fill(side *s, const char *uri)
{
	s->db = t_open_uri(uri);
	ck_assert_int_eq(oyl_db_add_embedder(s->db, "t", t_embedder_new("hash", 64, 32)), OYL_OK);
	ck_assert_int_eq(oyl_actor_superadmin(s->db, &s->root), OYL_OK);
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_create(s->root, "P", "parity", NULL, &t), OYL_OK);
	t_make_kb(s->root, oyl_tenant_id(t), s->kb);
	ck_assert_int_eq(oyl_kb_set_embedder(s->root, s->kb, "t", NULL), OYL_OK);
	oyl_tenant_free(t);
	for (size_t i = 0; i < cp.n; i++) {
		oyl_doc_source src = OYL_DOC_SOURCE_INIT;
		src.data = cp.text[i];
		src.length = strlen(cp.text[i]);
		src.name = strrchr(cp.path[i], '/') + 1;
		src.mime_type = "text/plain";
		int rc = oyl_doc_ingest(s->root, s->kb, &src, NULL, NULL);
		ck_assert_msg(rc == OYL_OK || rc == OYL_EXISTS, "%s: %s", cp.path[i],
			      oyl_db_errmsg(s->db));
	}
}

/* Question q: 1 to 3 consecutive words of a place in the corpus. */
static void question(unsigned q, char *out, size_t size)
{
	unsigned x = q * 2654435761u + 12345u;
	const char *text = cp.text[x % cp.n];
	size_t len = strlen(text);
	x = x * 1103515245u + 12345u;
	size_t at = (x >> 4) % len;
	while (at > 0 && text[at - 1] != ' ' && text[at - 1] != '\n')
		at--;
	int words = 1 + (int)((x >> 20) % 3), seen = 0;
	size_t n = 0;
	for (; text[at] && n + 1 < size && n < 80; at++) {
		char c = text[at];
		if (c == ' ' || c == '\n') {
			if (++seen == words)
				break;
			c = ' ';
		}
		out[n++] = c;
	}
	out[n] = '\0';
}

typedef struct hit {
	char name[128];
	int64_t ordinal;
	double score;
} hit;

static size_t top(side *s, const char *q, int mode, hit *h)
{
	oyl_search_results *r = NULL;
	oyl_search_options o = OYL_SEARCH_OPTIONS_INIT;
	o.mode = mode;
	int rc = oyl_kb_search(s->root, s->kb, q, &o, &r);
	ck_assert_msg(rc == OYL_OK, "[%s]: %s", q, oyl_db_errmsg(s->db));
	size_t n = oyl_search_count(r);
	for (size_t i = 0; i < n; i++) {
		snprintf(h[i].name, sizeof h[i].name, "%s", oyl_search_document_name(r, i));
		h[i].ordinal = oyl_search_ordinal(r, i);
		h[i].score = oyl_search_score(r, i);
	}
	oyl_search_free(r);
	return n;
}

static int same_chunk(const hit *a, const hit *b)
{
	return strcmp(a->name, b->name) == 0 && a->ordinal == b->ordinal;
}

/* Runs of equal scores: the same chunks in any order.  The chunks
 * compared. */
static int compare_runs(const hit *ha, const hit *hb, size_t na, const char *text, int *ties)
{
	int compared = 0;
	for (size_t i = 0; i < na;) {
		size_t j = i + 1;
		while (j < na && fabs(ha[j].score - ha[i].score) <= 1e-9)
			j++;
		if (j == na && na == TOP)
			break; /* cut by the limit: members may differ */
		*ties += j - i > 1;
		for (size_t k = i; k < j; k++) {
			int found = 0;
			for (size_t m = i; m < j; m++)
				found += same_chunk(&ha[k], &hb[m]);
			ck_assert_msg(found == 1, "[%s] #%zu: %s:%lld on SQLite not at its place on "
				      "PostgreSQL", text, k, ha[k].name, (long long)ha[k].ordinal);
		}
		compared += (int)(j - i);
		i = j;
	}
	return compared;
}

START_TEST(both_backends_rank_alike)
{
	load();
	char sq[T_URI_MAX], pg[T_URI_MAX];
	snprintf(sq, sizeof sq, "sqlite:/tmp/oyl-parity-%d.sqlite", (int)getpid());
	remove(sq + 7);
	t_fresh_uri(pg);
	side a, b;
	fill(&a, sq);
	fill(&b, pg);
	static const char *const modes[] = {"lexical", "vector", "hybrid"};
	for (int mode = 0; mode < 3; mode++) {
		int compared = 0, nonempty = 0, ties = 0;
		for (unsigned q = 0; q < QUESTIONS; q++) {
			char text[128];
			question(q, text, sizeof text);
			hit ha[TOP], hb[TOP];
			size_t na = top(&a, text, mode, ha), nb = top(&b, text, mode, hb);
			ck_assert_msg(na == nb, "%s [%s]: %zu results on SQLite, %zu on PostgreSQL",
				      modes[mode], text, na, nb);
			nonempty += na > 0;
			for (size_t i = 0; i < na; i++)
				ck_assert_msg(fabs(ha[i].score - hb[i].score) <= 1e-9,
					      "%s [%s] #%zu: %.17g on SQLite, %.17g on PostgreSQL",
					      modes[mode], text, i, ha[i].score, hb[i].score);
			compared += compare_runs(ha, hb, na, text, &ties);
		}
		printf("%s: %d questions, %d with results, %d chunks compared, %d runs of ties\n",
		       modes[mode], QUESTIONS, nonempty, compared, ties);
		ck_assert_int_ge(nonempty, QUESTIONS * 3 / 4);
	}
	oyl_actor_free(a.root);
	oyl_actor_free(b.root);
	oyl_db_close(a.db);
	oyl_db_close(b.db);
	remove(sq + 7);
	for (size_t i = 0; i < cp.n; i++) {
		free(cp.path[i]);
		free(cp.text[i]);
	}
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	dirs = argv + 2;
	ndirs = argc - 2;
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("parity");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, both_backends_rank_alike);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
