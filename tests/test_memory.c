/*
 * Memory: ingesting a 64 MiB text file peaks below 4 times the file's
 * size of resident memory, on each backend (argv[1]).  The peak is the
 * kernel's own high-water mark of the process (VmHWM), which counts
 * everything: the library, SQLite's or libpq's buffers, the test itself.
 * The text is real (the licence texts every Debian system installs,
 * repeated), so the chunker does what it does on real documents.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define FILE_SIZE (64u << 20)

static long peak_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kib = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kib;
}

/* Writes FILE_SIZE bytes of the licence texts, over and over. */
static void write_text(const char *path)
{
	FILE *out = fopen(path, "w");
	ck_assert_ptr_nonnull(out);
	size_t written = 0;
	char buf[1 << 16];
	while (written < FILE_SIZE) {
		DIR *d = opendir("/usr/share/common-licenses");
		ck_assert_ptr_nonnull(d);
		struct dirent *e;
		while ((e = readdir(d)) && written < FILE_SIZE) {
			char p[512];
			snprintf(p, sizeof p, "/usr/share/common-licenses/%s", e->d_name);
			FILE *in = e->d_name[0] == '.' ? NULL : fopen(p, "r");
			size_t n;
			while (in && (n = fread(buf, 1, sizeof buf, in)) > 0 && written < FILE_SIZE) {
				if (n > FILE_SIZE - written)
					n = FILE_SIZE - written;
				fwrite(buf, 1, n, out);
				written += n;
			}
			if (in)
				fclose(in);
		}
		closedir(d);
	}
	fclose(out);
}

START_TEST(ingesting_64_mib_of_text_peaks_below_4_times_its_size)
{
	char path[] = "/tmp/oyl-mem-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_text(path);
	oyl_db *db = t_open();
	oyl_actor *root = NULL;
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	oyl_tenant *t = NULL;
	char kb[37];
	ck_assert_int_eq(oyl_tenant_create(root, "M", "m", NULL, &t), OYL_OK);
	t_make_kb(root, oyl_tenant_id(t), kb);
	long before = peak_kib();
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	s.path = path;
	oyl_document *d = NULL;
	int rc = oyl_doc_ingest(root, kb, &s, NULL, &d);
	ck_assert_msg(rc == OYL_OK, "%s: %s", oyl_status_name(rc), oyl_db_errmsg(db));
	long peak = peak_kib();
	printf("%s: 64 MiB text, %lld chunks; peak RSS %ld KiB before the call, %ld KiB after "
	       "(%.2f x the file)\n",
	       t_backend(), (long long)oyl_document_chunk_count(d), before, peak,
	       (double)peak * 1024 / FILE_SIZE);
	ck_assert_int_lt((int64_t)peak * 1024, 4 * (int64_t)FILE_SIZE);
	oyl_document_free(d);
	oyl_tenant_free(t);
	oyl_actor_free(root);
	oyl_db_close(db);
	unlink(path);
}
END_TEST

int main(int argc, char **argv)
{
	/* A sanitizer's shadow memory is not the library's: nothing to measure. */
#if defined(__SANITIZE_ADDRESS__)
	fprintf(stderr, "test_memory: skipped under AddressSanitizer\n");
	return 77;
#endif
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("memory");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, ingesting_64_mib_of_text_peaks_below_4_times_its_size);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
