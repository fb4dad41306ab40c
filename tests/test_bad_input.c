/*
 * Bad input through the public API, on every backend (argv[1]): each case
 * of doc/ingestion.md's table gets its status and a message that says
 * what is wrong, and leaves nothing partial.  A source refused before it
 * is stored changes nothing at all; content a format refuses leaves the
 * document in error with that message and no chunk (so an admin sees
 * why, and can delete or reprocess it).  Hostile PDF and DOCX files come
 * from `test_extractors --fixtures` (argv[2]), where their makers live.
 * The table is printed as the test runs.
 */
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "ingest/source.h"

static oyl_db *db;
static oyl_actor *root;
static char kb[37], dir[64];
static const char *extractors;

static void setup(void)
{
	db = t_open();
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "B", "b", NULL, &t), OYL_OK);
	t_make_kb(root, oyl_tenant_id(t), kb);
	oyl_tenant_free(t);
	snprintf(dir, sizeof dir, "/tmp/oyl-bad-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s --fixtures %s", extractors, dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	oyl_actor_free(root);
	oyl_db_close(db);
}

static char *path_of(const char *name)
{
	static char p[4][256];
	static int next;
	next = (next + 1) % 4;
	snprintf(p[next], sizeof p[next], "%s/%s", dir, name);
	return p[next];
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(path_of(name), "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

enum { REFUSED, IN_ERROR, PROCESSED };

/* Ingests a file; checks the status, the message and what is left. */
static void one_case(const char *label, const char *file, const char *mime, int want,
		     const char *says, int leaves)
{
	oyl_backend *b = t_backend_of(db);
	uint64_t before = t_fingerprint(b);
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	s.path = file;
	s.mime_type = mime;
	oyl_document *d = NULL;
	int rc = oyl_doc_ingest(root, kb, &s, NULL, &d);
	const char *msg = oyl_db_errmsg(db);
	printf("| %s | %s | %s |\n", label, oyl_status_name(rc), rc ? msg : "(processed)");
	ck_assert_msg(rc == want, "%s: %s, want %s: %s", label, oyl_status_name(rc),
		      oyl_status_name(want), msg);
	ck_assert_msg(!says || strstr(msg, says), "%s: \"%s\" does not say \"%s\"", label, msg, says);
	if (leaves == REFUSED) {
		ck_assert_msg(t_fingerprint(b) == before, "%s: something was stored", label);
		return;
	}
	/* the document, and what it holds */
	oyl_page *p = NULL;
	oyl_list_options lo = OYL_LIST_OPTIONS_INIT;
	lo.limit = 100;
	ck_assert_int_eq(oyl_doc_list(root, kb, OYL_DOC_ANY, &lo, &p), OYL_OK);
	const oyl_document *last = oyl_page_document(p, oyl_page_count(p) - 1);
	if (leaves == IN_ERROR) {
		ck_assert_int_eq(oyl_document_status(last), OYL_DOC_ERROR);
		ck_assert_ptr_nonnull(strstr(oyl_document_error(last), says));
		ck_assert_int_eq(oyl_document_chunk_count(last), 0);
		oyl_page *c = NULL;
		lo.flags = OYL_LIST_TOTAL;
		ck_assert_int_eq(oyl_doc_chunks(root, oyl_document_id(last), &lo, &c), OYL_OK);
		ck_assert_int_eq(oyl_page_total(c), 0);
		oyl_page_free(c);
		ck_assert_int_eq(oyl_doc_delete(root, oyl_document_id(last)), OYL_OK);
	} else {
		ck_assert_int_eq(oyl_document_status(d), OYL_DOC_PROCESSED);
	}
	oyl_page_free(p);
	oyl_document_free(d);
}

START_TEST(every_bad_input_has_its_status_and_leaves_nothing_partial)
{
	/* empty */
	write_file("empty.txt", "", 0);
	one_case("empty file", path_of("empty.txt"), NULL, OYL_EINVAL, "is empty", REFUSED);
	/* binary garbage labelled text/plain */
	unsigned char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)((i * 2654435761u) >> 13);
	write_file("junk.txt", junk, sizeof junk);
	one_case("binary garbage labelled text/plain", path_of("junk.txt"), "text/plain",
		 OYL_EINVAL, "not text", IN_ERROR);
	/* PDF: truncated, encrypted */
	one_case("a truncated PDF", path_of("truncated.pdf"), NULL, OYL_EINVAL,
		 "not a readable PDF", IN_ERROR);
	if (access(path_of("encrypted.pdf"), R_OK) == 0)
		one_case("an encrypted PDF", path_of("encrypted.pdf"), NULL, OYL_EINVAL, "encrypted",
			 IN_ERROR);
	else
		ck_assert_msg(!getenv("CI"), "qpdf is missing: the encrypted case did not run");
	/* a ZIP bomb labelled DOCX */
	one_case("a ZIP bomb labelled DOCX (300 MiB in 350 KB)", path_of("bomb.docx"), NULL,
		 OYL_EINVAL, "DOCX", IN_ERROR);
	/* HTML nested 100,000 levels deep */
	size_t depth = 100000, at = 0;
	char *html = malloc(depth * 11 + 64);
	at += (size_t)sprintf(html, "<html><body>");
	for (size_t i = 0; i < depth; i++)
		at += (size_t)sprintf(html + at, "<div>");
	at += (size_t)sprintf(html + at, "deep");
	write_file("deep.html", html, at);
	free(html);
	one_case("HTML nested 100,000 levels deep", path_of("deep.html"), NULL, OYL_EINVAL, "depth",
		 IN_ERROR);
	/* a CSV with a 10 MB field */
	size_t big = 10u << 20;
	char *csv = malloc(big + 16);
	memcpy(csv, "a,b\n1,", 6);
	memset(csv + 6, 'x', big);
	memcpy(csv + 6 + big, "\n", 1);
	write_file("field.csv", csv, big + 7);
	free(csv);
	one_case("a CSV with a 10 MB field", path_of("field.csv"), NULL, OYL_EINVAL, "larger than",
		 IN_ERROR);
	/* over the size limit: refused from its size, before a byte is read */
	int fd = open(path_of("huge.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_eq(ftruncate(fd, (off_t)OYL_DOC_MAX_BYTES_DEFAULT + 1), 0);
	close(fd);
	one_case("a file over the size limit (64 MiB + 1 byte)", path_of("huge.txt"), NULL,
		 OYL_EINVAL, "larger than the limit", REFUSED);
	unlink(path_of("huge.txt"));
	/* invalid UTF-8 in text: repaired and counted */
	static const char latin1[] = "caf\xe9 cr\xe8me br\xfbl\xe9" "e is a dessert.";
	write_file("latin1.txt", latin1, sizeof latin1 - 1);
	one_case("invalid UTF-8 (Latin-1 bytes in a text)", path_of("latin1.txt"), NULL, OYL_OK,
		 NULL, PROCESSED);
	/* NUL bytes: removed and counted */
	write_file("nul.txt", "a\0b c\0d words", 14);
	one_case("NUL bytes in a text", path_of("nul.txt"), NULL, OYL_OK, NULL, PROCESSED);
	/* paths that are not readable files */
	one_case("a path that is a directory", dir, NULL, OYL_EINVAL, "is a directory", REFUSED);
	ck_assert_int_eq(mkfifo(path_of("fifo"), 0600), 0);
	one_case("a path that is a FIFO", path_of("fifo"), NULL, OYL_EINVAL, "not a regular file",
		 REFUSED);
	one_case("a path that does not exist", path_of("nowhere.txt"), NULL, OYL_EINVAL,
		 "No such file", REFUSED);
}
END_TEST

/* An unreadable file: root reads everything, so a child that gave up
 * root tries (the source is read before anything else). */
START_TEST(an_unreadable_file_is_refused_with_its_reason)
{
	write_file("secret.txt", "words", 5);
	ck_assert_int_eq(chmod(path_of("secret.txt"), 0), 0);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	pid_t pid = fork();
	if (pid == 0) {
		const struct passwd *nobody = getpwnam("nobody");
		if (geteuid() == 0 && (!nobody || setuid(nobody->pw_uid) != 0))
			_exit(3);
		oyl_doc_source s = OYL_DOC_SOURCE_INIT;
		s.path = path_of("secret.txt");
		oyl__source src;
		int rc = oyl__source_read(db, &s, OYL_DOC_MAX_BYTES_DEFAULT, &src);
		printf("| an unreadable file | %s | %s |\n", oyl_status_name(rc), oyl_db_errmsg(db));
		fflush(stdout);
		_exit(rc == OYL_EINVAL && strstr(oyl_db_errmsg(db), "Permission denied") ? 0 : 1);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unreadable: child said %d", st);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	extractors = argc > 2 ? argv[2] : "tests/test_extractors";
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("bad-input");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_bad_input_has_its_status_and_leaves_nothing_partial);
	tcase_add_test(tc, an_unreadable_file_is_refused_with_its_reason);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
