/*
 * What fuzzing found stays fixed: every input under fuzz/regressions/<target>/
 * (a minimised reproducer of a bug fuzzing found), and every seed under
 * fuzz/corpus/<target>/, goes through the fuzz target's own entry point,
 * compiled here with the normal compiler and without libFuzzer
 * (tests/meson.build renames LLVMFuzzerTestOneInput to oyl_fuzz_<target>).
 * The entry point checks every property of the text and the chunks and
 * aborts on a broken one; here it must return 0.
 *
 * argv[1]: the fuzz/ directory.  To add a regression, put its input in
 * fuzz/regressions/<target>/ (named after what it found).
 */
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int oyl_fuzz_text(const uint8_t *data, size_t size);
int oyl_fuzz_csv(const uint8_t *data, size_t size);
int oyl_fuzz_html(const uint8_t *data, size_t size);
int oyl_fuzz_chunk(const uint8_t *data, size_t size);
int oyl_fuzz_tokenize(const uint8_t *data, size_t size);
int oyl_fuzz_query(const uint8_t *data, size_t size);
#ifdef OYL_HAVE_DOCX
int oyl_fuzz_docx(const uint8_t *data, size_t size);
#endif
#ifdef OYL_HAVE_PDF
int oyl_fuzz_pdf(const uint8_t *data, size_t size);
#endif
#ifdef OYL_HAVE_OCR
int oyl_fuzz_ocr(const uint8_t *data, size_t size);
int oyl_fuzz_init_ocr(int *argc, char ***argv);
#endif

static const struct {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
} targets[] = {
	{"text", oyl_fuzz_text},
	{"csv", oyl_fuzz_csv},
	{"html", oyl_fuzz_html},
	{"chunk", oyl_fuzz_chunk},
	{"tokenize", oyl_fuzz_tokenize},
	{"query", oyl_fuzz_query},
#ifdef OYL_HAVE_DOCX
	{"docx", oyl_fuzz_docx},
#endif
#ifdef OYL_HAVE_PDF
	{"pdf", oyl_fuzz_pdf},
#endif
#ifdef OYL_HAVE_OCR
	{"ocr", oyl_fuzz_ocr},
#endif
};
#define NTARGETS (sizeof targets / sizeof targets[0])

/* The inputs, found in main() before the tests run (and fork). */
typedef struct input {
	size_t target;
	char *path;
} input;
static input *inputs;
static size_t ninputs, nregressions;

static void add_dir(const char *dir, size_t target)
{
	DIR *dh = opendir(dir);
	if (!dh)
		return;
	struct dirent *e;
	while ((e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		inputs = realloc(inputs, (ninputs + 1) * sizeof *inputs);
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		char *path = malloc(len);
		if (!inputs || !path)
			abort();
		snprintf(path, len, "%s/%s", dir, e->d_name);
		inputs[ninputs++] = (input){target, path};
	}
	closedir(dh);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *d = NULL;
	size_t cap = 0;
	*n = 0;
	for (;;) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 65536;
			unsigned char *nd = realloc(d, cap);
			if (!nd)
				break;
			d = nd;
		}
		size_t got = fread(d + *n, 1, cap - *n, f);
		*n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	return d;
}

START_TEST(input_passes_its_target)
{
	const input *in = &inputs[_i];
	size_t n;
	unsigned char *data = slurp(in->path, &n);
	ck_assert_msg(data != NULL, "cannot read %s", in->path);
	/* Said first: a broken property aborts, and Check names only the test. */
	fprintf(stderr, "fuzz regression: %s on %s (%zu bytes)\n", targets[in->target].name,
		in->path, n);
	int rc = targets[in->target].one(data, n);
	free(data);
	ck_assert_msg(rc == 0, "%s: the target returned %d", in->path, rc);
}
END_TEST

/*
 * extract_text.c appends plain text in 1 MiB steps, and a character that
 * straddled a step became two U+FFFD.  The text target's clean-text
 * property finds it, but only past its 64 KiB max_len: the input is made
 * here.  ("b" first: an even first byte is text/plain to the target.)
 */
START_TEST(plain_text_keeps_a_character_across_its_1_mib_steps)
{
	static const char tail[] = "\xe2\x82\xac and \xc3\xa9 end\n"; /* € and é */
	for (size_t shift = 1; shift <= 3; shift++) {
		size_t head = ((size_t)1 << 20) - shift, n = head + sizeof tail - 1;
		uint8_t *d = malloc(n);
		ck_assert_ptr_nonnull(d);
		memset(d, 'a', head);
		d[0] = 'b';
		memcpy(d + head, tail, sizeof tail - 1);
		ck_assert_int_eq(oyl_fuzz_text(d, n), 0);
		free(d);
	}
}
END_TEST

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FUZZ_DIR\n", argv[0]);
		return 2;
	}
#ifdef OYL_HAVE_OCR
	oyl_fuzz_init_ocr(&argc, &argv);
#endif
	char dir[4096];
	for (size_t t = 0; t < NTARGETS; t++) {
		snprintf(dir, sizeof dir, "%s/regressions/%s", argv[1], targets[t].name);
		add_dir(dir, t);
	}
	nregressions = ninputs;
	for (size_t t = 0; t < NTARGETS; t++) {
		snprintf(dir, sizeof dir, "%s/corpus/%s", argv[1], targets[t].name);
		add_dir(dir, t);
	}
	if (ninputs == nregressions) {
		fprintf(stderr, "no seeds under %s/corpus\n", argv[1]);
		return 1;
	}
	printf("%zu regression inputs, %zu seeds\n", nregressions, ninputs - nregressions);

	Suite *s = suite_create("fuzz_regressions");
	TCase *tc = tcase_create("inputs");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, input_passes_its_target, 0, (int)ninputs);
	tcase_add_test(tc, plain_text_keeps_a_character_across_its_1_mib_steps);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (size_t i = 0; i < ninputs; i++)
		free(inputs[i].path);
	free(inputs);
	return failed ? 1 : 0;
}
