/*
 * Extraction fidelity on real documents: the HTML and PDF editions that
 * Debian documentation packages install, each compared with the plain-text
 * edition the same package builds from the same source (what a reader of
 * the document sees, give or take the text renderer's rules and link
 * lists).  Per document it prints a markdown row and checks three floors:
 *
 *   - word F1: precision and recall of the extracted words against the
 *     reference's, as multisets (a word counts as many times as it occurs
 *     in both);
 *   - 4-gram recall, the local reading order: the share of the reference's
 *     word 4-grams (multiset) that the extraction also has.  Words that a
 *     reader sees side by side must come out side by side: a running
 *     header spliced into a sentence, columns read across or table cells
 *     run together break the 4-grams around them, while a missing or extra
 *     word costs at most four;
 *   - sequence, the global reading order: of the 4-grams that occur exactly
 *     once in each text (anchors), the share that is in the same order in
 *     both (the longest increasing subsequence of their positions in the
 *     extraction, taken in the reference's order).  Chapters or pages out
 *     of order lower it; it is O(n log n), where a word-level LCS of two
 *     50,000-word texts would be quadratic.
 *
 * Both texts go through the same oyl__text normalisation (NFC, invalid
 * UTF-8 replaced) and the same tokeniser: a word is a maximal run of
 * Unicode letters, marks and numbers, lower-cased code point by code
 * point; everything else (punctuation, symbols, white space, no-break
 * space) separates words.  So "well-known" is two words on both sides,
 * and a ligature code point (U+FB01) is not folded into "fi": an
 * extraction that keeps it is wrong for search and counts as wrong here.
 *
 * A document whose package is not installed fails when CI is set in the
 * environment (scripts/install-deps.sh --test installs the packages) and
 * is skipped with a note otherwise; so is a format this build lacks.  With
 * none installed and no CI the program exits 77, which meson reports as a
 * skip.  The results and what they show: doc/ingestion.md.
 *
 * By hand: test_fidelity MIME REFERENCE FILE... prints the row of any
 * document (FILEs in reading order, gzip or not); OYL_FIDELITY_DUMP=PATH
 * writes the extraction there, to see what a score missed.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <utf8proc.h>
#include <zlib.h>

#include "ingest/extract.h"
#include "ingest/text.h"
#include "oyl/oyl.h"

#define GRAM 4
#define TEXT_LIMIT ((size_t)64 << 20)

/* ---- the documents ----------------------------------------------------- */

#define POLICY "/usr/share/doc/debian-policy/"
#define DEVREF "/usr/share/developers-reference/"
#define MAINT "/usr/share/doc/maint-guide/"
#define FAQ "/usr/share/doc/debian/FAQ/"
#define PH POLICY "policy.html/"
#define HTML "text/html"
#define PDF "application/pdf"

typedef struct fid_case {
	const char *name;
	const char *package;
	const char *mime;
	const char *reference;
	const char *files[32]; /* in reading order, NULL-terminated */
	/* floors: the measured value less about 0.05, rounded down */
	double f1, gram, seq;
} fid_case;

static const fid_case cases[] = {
	/* HTML: single-file editions */
	{"fhs-3.0", "debian-policy", HTML, POLICY "fhs/fhs-3.0.txt.gz",
	 {POLICY "fhs/fhs-3.0.html"}, 0.95, 0.94, 0.95},
	{"copyright-format-1.0", "debian-policy", HTML, POLICY "copyright-format-1.0.txt.gz",
	 {POLICY "copyright-format-1.0.html"}, 0.95, 0.94, 0.95},
	{"developers-reference", "developers-reference", HTML, DEVREF "developers-reference.txt.gz",
	 {DEVREF "developers-reference.html"}, 0.94, 0.94, 0.93},
	/* HTML: one file per chapter, in the order of the index's table of contents */
	{"maint-guide", "maint-guide", HTML, MAINT "maint-guide.en.txt.gz",
	 {MAINT "html/index.en.html", MAINT "html/start.en.html", MAINT "html/first.en.html",
	  MAINT "html/modify.en.html", MAINT "html/dreq.en.html", MAINT "html/dother.en.html",
	  MAINT "html/build.en.html", MAINT "html/checkit.en.html", MAINT "html/update.en.html",
	  MAINT "html/upload.en.html", MAINT "html/advanced.en.html"},
	 0.93, 0.94, 0.95},
	{"debian-faq", "debian-faq", HTML, FAQ "debian-faq.en.txt.gz",
	 {FAQ "index.en.html", FAQ "basic-defs.en.html", FAQ "getting-debian.en.html",
	  FAQ "choosing.en.html", FAQ "compatibility.en.html", FAQ "software.en.html",
	  FAQ "ftparchives.en.html", FAQ "pkg-basics.en.html", FAQ "pkgtools.en.html",
	  FAQ "uptodate.en.html", FAQ "kernel.en.html", FAQ "customizing.en.html",
	  FAQ "support.en.html", FAQ "contributing.en.html", FAQ "redistributing.en.html",
	  FAQ "nextrelease.en.html", FAQ "faqinfo.en.html"},
	 0.90, 0.90, 0.95},
	{"debian-policy", "debian-policy", HTML, POLICY "policy.txt.gz",
	 {PH "index.html", PH "ch-scope.html", PH "ch-archive.html", PH "ch-binary.html",
	  PH "ch-source.html", PH "ch-controlfields.html", PH "ch-maintainerscripts.html",
	  PH "ch-relationships.html", PH "ch-sharedlibs.html", PH "ch-opersys.html",
	  PH "ch-files.html", PH "ch-customized-programs.html", PH "ch-docs.html",
	  PH "ap-pkg-scope.html", PH "ap-pkg-binarypkg.html", PH "ap-pkg-sourcepkg.html",
	  PH "ap-pkg-controlfields.html", PH "ap-pkg-conffiles.html",
	  PH "ap-pkg-alternatives.html", PH "ap-pkg-diversions.html", PH "ap-process.html",
	  PH "ap-flowcharts.html", PH "upgrading-checklist.html", PH "ap-license.html"},
	 0.92, 0.94, 0.95},
	/* PDF */
	{"fhs-3.0", "debian-policy", PDF, POLICY "fhs/fhs-3.0.txt.gz",
	 {POLICY "fhs/fhs-3.0.pdf.gz"}, 0.92, 0.83, 0.83},
	{"developers-reference", "developers-reference", PDF, DEVREF "developers-reference.txt.gz",
	 {DEVREF "developers-reference.pdf"}, 0.94, 0.93, 0.93},
	{"maint-guide", "maint-guide", PDF, MAINT "maint-guide.en.txt.gz",
	 {MAINT "maint-guide.en.pdf"}, 0.91, 0.86, 0.87},
	{"debian-faq", "debian-faq", PDF, FAQ "debian-faq.en.txt.gz",
	 {FAQ "debian-faq.en.pdf.gz"}, 0.93, 0.90, 0.92},
	{"debian-policy", "debian-policy", PDF, POLICY "policy.txt.gz",
	 {POLICY "policy.pdf.gz"}, 0.94, 0.92, 0.87},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* ---- reading files --------------------------------------------------- */

/* The whole file, gunzipped if it is gzip (zlib reads other files as
 * they are).  NULL if it cannot be read. */
static unsigned char *slurp(const char *path, size_t *n)
{
	gzFile f = gzopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	unsigned char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		if (cap - len < (1 << 16)) {
			unsigned char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		int got = gzread(f, buf + len, (unsigned)(cap - len));
		if (got < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	gzclose(f);
	*n = len;
	return buf;
}

/* ---- words ------------------------------------------------------------- */

/* Distinct words, interned: a word's id is its index. */
typedef struct vocab {
	char *bytes;
	size_t nbytes, capbytes;
	size_t *off; /* id -> offset of its NUL-terminated bytes */
	size_t n, cap;
	uint32_t *slot; /* open addressing: id + 1, 0 empty */
	size_t nslot;
} vocab;

typedef struct seq {
	uint32_t *id;
	size_t n, cap;
} seq;

static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211u;
	return h;
}

/* Allocation failures end the program: the helpers also serve the command
 * line, where Check's assertions cannot report. */
static void *need(void *p)
{
	if (!p) {
		fputs("test_fidelity: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void *grow(void *p, size_t *cap, size_t want, size_t size)
{
	if (want <= *cap)
		return p;
	size_t c = *cap ? *cap : 64;
	while (c < want)
		c *= 2;
	p = need(realloc(p, c * size));
	*cap = c;
	return p;
}

static void vocab_rehash(vocab *v)
{
	free(v->slot);
	v->nslot = v->nslot ? v->nslot * 2 : 1024;
	v->slot = need(calloc(v->nslot, sizeof *v->slot));
	for (size_t id = 0; id < v->n; id++) {
		const char *w = v->bytes + v->off[id];
		size_t i = fnv(w, strlen(w)) & (v->nslot - 1);
		while (v->slot[i])
			i = (i + 1) & (v->nslot - 1);
		v->slot[i] = (uint32_t)id + 1;
	}
}

static uint32_t intern(vocab *v, const char *w, size_t n)
{
	if ((v->n + 1) * 2 > v->nslot)
		vocab_rehash(v);
	size_t i = fnv(w, n) & (v->nslot - 1);
	for (; v->slot[i]; i = (i + 1) & (v->nslot - 1)) {
		const char *have = v->bytes + v->off[v->slot[i] - 1];
		if (strncmp(have, w, n) == 0 && have[n] == '\0')
			return v->slot[i] - 1;
	}
	v->bytes = grow(v->bytes, &v->capbytes, v->nbytes + n + 1, 1);
	memcpy(v->bytes + v->nbytes, w, n);
	v->bytes[v->nbytes + n] = '\0';
	v->off = grow(v->off, &v->cap, v->n + 1, sizeof *v->off);
	v->off[v->n] = v->nbytes;
	v->nbytes += n + 1;
	v->slot[i] = (uint32_t)v->n + 1;
	return (uint32_t)v->n++;
}

static int word_char(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO; /* L*, M*, N* */
}

/* Appends the words of s (valid UTF-8, NUL-terminated) to out. */
static void tokenise(const char *s, vocab *v, seq *out)
{
	char *w = NULL;
	size_t wn = 0, wcap = 0;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	for (;;) {
		utf8proc_int32_t cp = 0;
		utf8proc_ssize_t len = *p ? utf8proc_iterate(p, -1, &cp) : 0;
		if (len < 0) { /* cannot happen after oyl__text; a separator if it does */
			len = 1;
			cp = ' ';
		}
		if (len > 0 && word_char(cp)) {
			w = grow(w, &wcap, wn + 4, 1);
			wn += (size_t)utf8proc_encode_char(utf8proc_tolower(cp),
							   (utf8proc_uint8_t *)w + wn);
		} else if (wn) {
			out->id = grow(out->id, &out->cap, out->n + 1, sizeof *out->id);
			out->id[out->n++] = intern(v, w, wn);
			wn = 0;
		}
		if (len == 0)
			break;
		p += len;
	}
	free(w);
}

/* ---- scores ------------------------------------------------------------ */

typedef struct score {
	size_t ext_words, ref_words, anchors;
	double precision, recall, f1, gram, seq;
} score;

/* A distinct 4-gram: where it first occurs in each text and how often. */
typedef struct gram_entry {
	const uint32_t *key; /* GRAM ids */
	uint32_t ref_c, ext_c, ref_at, ext_at;
} gram_entry;

typedef struct gram_table {
	gram_entry *e;
	size_t n, nslot;
} gram_table;

static gram_entry *gram_find(gram_table *t, const uint32_t *key)
{
	size_t i = fnv(key, GRAM * sizeof *key) & (t->nslot - 1);
	for (; t->e[i].key; i = (i + 1) & (t->nslot - 1))
		if (memcmp(t->e[i].key, key, GRAM * sizeof *key) == 0)
			return &t->e[i];
	t->e[i].key = key;
	t->n++;
	return &t->e[i];
}

/* The length of the longest strictly increasing subsequence of a[0..n). */
static size_t lis(const uint32_t *a, size_t n)
{
	uint32_t *tail = need(malloc((n ? n : 1) * sizeof *tail));
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t lo = 0, hi = len;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (tail[mid] < a[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		tail[lo] = a[i];
		if (lo == len)
			len++;
	}
	free(tail);
	return len;
}

static score compare(const seq *ref, const seq *ext, size_t nvocab)
{
	score s = {.ext_words = ext->n, .ref_words = ref->n};

	/* Words as multisets. */
	uint32_t *c = need(calloc(nvocab ? nvocab : 1, sizeof *c));
	for (size_t i = 0; i < ref->n; i++)
		c[ref->id[i]]++;
	size_t common = 0;
	for (size_t i = 0; i < ext->n; i++)
		if (c[ext->id[i]]) {
			c[ext->id[i]]--;
			common++;
		}
	free(c);
	s.precision = ext->n ? (double)common / (double)ext->n : 0;
	s.recall = ref->n ? (double)common / (double)ref->n : 0;
	s.f1 = common ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;

	/* 4-grams: counts for the recall, first positions for the anchors. */
	size_t nref = ref->n >= GRAM ? ref->n - GRAM + 1 : 0;
	size_t next = ext->n >= GRAM ? ext->n - GRAM + 1 : 0;
	gram_table t = {.nslot = 1024};
	while (t.nslot < 2 * (nref + next))
		t.nslot *= 2;
	t.e = need(calloc(t.nslot, sizeof *t.e));
	for (size_t i = 0; i < nref; i++) {
		gram_entry *e = gram_find(&t, ref->id + i);
		if (e->ref_c++ == 0)
			e->ref_at = (uint32_t)i;
	}
	for (size_t i = 0; i < next; i++) {
		gram_entry *e = gram_find(&t, ext->id + i);
		if (e->ext_c++ == 0)
			e->ext_at = (uint32_t)i;
	}
	size_t shared = 0;
	/* a reference position -> its anchor's position in the extraction + 1 */
	uint32_t *by_ref = need(calloc(nref ? nref : 1, sizeof *by_ref));
	for (size_t i = 0; i < t.nslot; i++) {
		gram_entry *e = &t.e[i];
		if (!e->key)
			continue;
		shared += e->ref_c < e->ext_c ? e->ref_c : e->ext_c;
		if (e->ref_c == 1 && e->ext_c == 1)
			by_ref[e->ref_at] = e->ext_at + 1;
	}
	s.gram = nref ? (double)shared / (double)nref : 0;

	/* Anchors in the reference's order, then their order in the extraction. */
	uint32_t *order = need(malloc((nref ? nref : 1) * sizeof *order));
	for (size_t i = 0; i < nref; i++)
		if (by_ref[i])
			order[s.anchors++] = by_ref[i] - 1;
	s.seq = s.anchors ? (double)lis(order, s.anchors) / (double)s.anchors : 0;
	free(order);
	free(by_ref);
	free(t.e);
	return s;
}

/* ---- one document ---------------------------------------------------- */

typedef enum outcome { MEASURED, MISSING, FAILED } outcome;

typedef struct run {
	score s;
	double seconds;
	char why[512];
} run;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Extracts files[] (in order, one text) and compares with the reference. */
static outcome measure(const char *mime, const char *reference, const char *const *files,
		       run *r)
{
	memset(r, 0, sizeof *r);
	const oyl__extractor *x = oyl__extractor_for(mime);
	if (!x) {
		const char *lib = oyl__extractor_missing(mime);
		snprintf(r->why, sizeof r->why, "this build has no %s extractor (%s)", mime,
			 lib ? lib : "unknown type");
		return MISSING;
	}
	if (access(reference, R_OK) != 0) {
		snprintf(r->why, sizeof r->why, "%s is not installed", reference);
		return MISSING;
	}
	for (size_t i = 0; files[i]; i++)
		if (access(files[i], R_OK) != 0) {
			snprintf(r->why, sizeof r->why, "%s is not installed", files[i]);
			return MISSING;
		}

	double t0 = now();
	oyl__text ext;
	oyl__text_init(&ext, TEXT_LIMIT);
	for (size_t i = 0; files[i]; i++) {
		size_t n;
		unsigned char *data = slurp(files[i], &n);
		if (!data) {
			snprintf(r->why, sizeof r->why, "%s: cannot read", files[i]);
			oyl__text_free(&ext);
			return FAILED;
		}
		oyl__extract_ctx ctx = {.mime_type = mime, .name = files[i]};
		int st = x->extract(data, n, &ext, &ctx);
		free(data);
		if (st != OYL_OK) {
			snprintf(r->why, sizeof r->why, "%s: status %d: %s", files[i], st,
				 ctx.errmsg);
			oyl__text_free(&ext);
			return FAILED;
		}
		oyl__text_paragraph(&ext);
	}
	r->seconds = now() - t0;

	/* The reference through the same normalisation as the extraction. */
	oyl__text ref;
	oyl__text_init(&ref, TEXT_LIMIT);
	size_t n;
	char *raw = (char *)slurp(reference, &n);
	if (!raw) {
		snprintf(r->why, sizeof r->why, "%s: cannot read", reference);
		oyl__text_free(&ext);
		oyl__text_free(&ref);
		return FAILED;
	}
	oyl__text_append(&ref, raw, n);
	free(raw);

	vocab v = {0};
	seq rs = {0}, es = {0};
	tokenise(oyl__text_str(&ref), &v, &rs);
	tokenise(oyl__text_str(&ext), &v, &es);
	if (getenv("OYL_FIDELITY_DUMP")) { /* the extraction, to look at by hand */
		FILE *f = fopen(getenv("OYL_FIDELITY_DUMP"), "w");
		if (f) {
			fputs(oyl__text_str(&ext), f);
			fclose(f);
		}
	}
	r->s = compare(&rs, &es, v.n);
	free(rs.id);
	free(es.id);
	free(v.bytes);
	free(v.off);
	free(v.slot);
	oyl__text_free(&ext);
	oyl__text_free(&ref);
	return MEASURED;
}

static void print_header(void)
{
	printf("| document | format | words extracted | words in reference | precision | recall "
	       "| F1 | 4-gram recall | sequence | seconds |\n"
	       "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	fflush(stdout);
}

static void print_row(const char *name, const char *mime, const run *r)
{
	printf("| %s | %s | %zu | %zu | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |\n", name,
	       strcmp(mime, PDF) == 0 ? "PDF" : strcmp(mime, HTML) == 0 ? "HTML" : mime,
	       r->s.ext_words, r->s.ref_words, r->s.precision, r->s.recall, r->s.f1, r->s.gram,
	       r->s.seq, r->seconds);
	fflush(stdout);
}

START_TEST(fidelity_is_above_its_floors)
{
	const fid_case *c = &cases[_i];
	run r;
	outcome o = measure(c->mime, c->reference, c->files, &r);
	if (o == MISSING) {
		/* CI must measure every document; a developer without the packages
		 * is told what to install. */
		if (getenv("CI"))
			ck_abort_msg("%s (%s): %s; install %s (scripts/install-deps.sh --test)",
				     c->name, c->mime, r.why, c->package);
		printf("skipped %s (%s): %s; install %s to measure it\n", c->name, c->mime, r.why,
		       c->package);
		fflush(stdout);
		return;
	}
	ck_assert_msg(o == MEASURED, "%s (%s): %s", c->name, c->mime, r.why);
	print_row(c->name, c->mime, &r);
	ck_assert_msg(r.s.f1 >= c->f1, "%s (%s): word F1 %.3f below its floor %.2f", c->name,
		      c->mime, r.s.f1, c->f1);
	ck_assert_msg(r.s.gram >= c->gram, "%s (%s): 4-gram recall %.3f below its floor %.2f",
		      c->name, c->mime, r.s.gram, c->gram);
	ck_assert_msg(r.s.seq >= c->seq, "%s (%s): sequence %.3f below its floor %.2f", c->name,
		      c->mime, r.s.seq, c->seq);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc >= 4) {
		run r;
		outcome o = measure(argv[1], argv[2], (const char *const *)argv + 3, &r);
		if (o != MEASURED) {
			fprintf(stderr, "test_fidelity: %s\n", r.why);
			return 1;
		}
		print_header();
		print_row(argv[3], argv[1], &r);
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [MIME REFERENCE FILE...]\n", argv[0]);
		return 2;
	}
	/* Without CI and without any of the packages there is nothing to
	 * measure: meson reports a skip (77) rather than a pass. */
	size_t present = 0;
	for (size_t i = 0; i < NCASES; i++)
		present += access(cases[i].reference, R_OK) == 0;
	if (!present && !getenv("CI")) {
		printf("test_fidelity: none of the documentation packages is installed "
		       "(scripts/install-deps.sh --test installs them): skipped\n");
		return 77;
	}
	print_header();
	Suite *s = suite_create("fidelity");
	TCase *tc = tcase_create("documents");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, fidelity_is_above_its_floors, 0, (int)NCASES);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
