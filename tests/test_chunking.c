/*
 * Text normalisation, the chunker and the text formats (plain, Markdown,
 * CSV, HTML), white-box and backend-free.  The chunker's properties are
 * checked on generated text (many seeds and options) and on real text
 * (the licence texts every Debian system installs): every chunk within
 * its bounds and not empty, no word cut, chunks in order and together
 * covering every non-space byte, offsets in characters that agree with
 * the bytes, and the same chunks every time.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "ingest/chunk.h"
#include "ingest/extract.h"
#include "ingest/text.h"
#include "harness.h"
#include "oyl/oyl.h"

/* ---- normalisation --------------------------------------------------- */

START_TEST(line_ends_become_lf_even_split_across_appends)
{
	oyl__text t;
	oyl__text_init(&t, 1 << 20);
	oyl__text_puts(&t, "a\r\nb\rc\r");
	oyl__text_puts(&t, "\nd");
	ck_assert_str_eq(oyl__text_str(&t), "a\nb\nc\nd");
	oyl__text_free(&t);
	/* a break between two appends: the LF after it is a line of its own,
	 * not the end of the CR before it */
	oyl__text_init(&t, 1 << 20);
	oyl__text_puts(&t, "x\r");
	oyl__text_space(&t);
	oyl__text_puts(&t, "\ny");
	ck_assert_str_eq(oyl__text_str(&t), "x\n\ny");
	oyl__text_free(&t);
}
END_TEST

START_TEST(invalid_utf8_becomes_replacement_and_is_counted)
{
	oyl__text t;
	oyl__text_init(&t, 1 << 20);
	/* a lone continuation, an overlong '/', a surrogate, a cut sequence */
	oyl__text_append(&t, "x\x80y\xc0\xafz\xed\xa0\x80w\xe2\x82", 13);
	ck_assert_str_eq(oyl__text_str(&t), "x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbdz"
					    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdw\xef\xbf\xbd");
	ck_assert_int_eq(t.invalid, 7);
	oyl__text_free(&t);
}
END_TEST

START_TEST(nul_bytes_are_removed_and_counted)
{
	oyl__text t;
	oyl__text_init(&t, 1 << 20);
	oyl__text_append(&t, "a\0b\0\0c", 6);
	ck_assert_str_eq(oyl__text_str(&t), "abc");
	ck_assert_int_eq(t.nuls, 3);
	oyl__text_free(&t);
}
END_TEST

START_TEST(text_is_nfc)
{
	oyl__text t;
	oyl__text_init(&t, 1 << 20);
	/* e + combining acute; A + ring; Hangul jamo; Ω (ohm sign -> omega) */
	oyl__text_puts(&t, "cafe\xcc\x81 A\xcc\x8a \xe1\x84\x80\xe1\x85\xa1 \xe2\x84\xa6");
	ck_assert_str_eq(oyl__text_str(&t), "caf\xc3\xa9 \xc3\x85 \xea\xb0\x80 \xce\xa9");
	oyl__text_free(&t);
}
END_TEST

START_TEST(text_past_its_limit_fails_and_stays_failed)
{
	oyl__text t;
	oyl__text_init(&t, 10);
	ck_assert_int_eq(oyl__text_puts(&t, "0123456789"), OYL_OK);
	ck_assert_int_eq(oyl__text_puts(&t, "x"), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(t.errmsg, "limit"));
	ck_assert_int_eq(oyl__text_puts(&t, ""), OYL_EINVAL);
	oyl__text_free(&t);
}
END_TEST

/* ---- chunk properties ------------------------------------------------- */

typedef struct collected {
	oyl__chunk *c;
	char **section;
	size_t n, cap;
} collected;

static int collect(const oyl__chunk *c, void *p)
{
	collected *all = p;
	if (all->n == all->cap) {
		all->cap = all->cap ? all->cap * 2 : 64;
		all->c = realloc(all->c, all->cap * sizeof *all->c);
		all->section = realloc(all->section, all->cap * sizeof *all->section);
	}
	all->c[all->n] = *c;
	all->section[all->n] = c->section ? strdup(c->section) : NULL;
	all->c[all->n].section = all->section[all->n];
	all->n++;
	return 0;
}

static void collected_free(collected *all)
{
	for (size_t i = 0; i < all->n; i++)
		free(all->section[i]);
	free(all->c);
	free(all->section);
	memset(all, 0, sizeof *all);
}

static int is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* Every property the chunker promises, for one text and options. */
static void check_chunks(const oyl__text *t, int64_t target, int64_t overlap)
{
	oyl__chunk_options o = {target, overlap};
	collected a = {0}, b = {0};
	ck_assert_int_eq(oyl__chunk_text(t, &o, collect, &a), OYL_OK);
	ck_assert_int_eq(oyl__chunk_text(t, &o, collect, &b), OYL_OK);
	const char *s = oyl__text_str(t);
	size_t max_bytes = (size_t)target * OYL__CHUNK_BYTES_PER_TOKEN;
	size_t covered = 0; /* every non-space byte before this is in a chunk */
	size_t nonspace = 0;
	for (size_t i = 0; i < t->n; i++)
		nonspace += !is_space(s[i]);
	ck_assert_int_eq(a.n, b.n);
	ck_assert(nonspace == 0 || a.n > 0);
	for (size_t i = 0; i < a.n; i++) {
		const oyl__chunk *c = &a.c[i];
		/* deterministic */
		ck_assert(c->start == b.c[i].start && c->end == b.c[i].end &&
			  c->tokens == b.c[i].tokens && c->page == b.c[i].page);
		ck_assert((c->section == NULL) == (b.c[i].section == NULL));
		ck_assert_int_eq(c->ordinal, (int64_t)i);
		/* within bounds, not empty, trimmed */
		ck_assert_uint_lt(c->start, c->end);
		ck_assert_uint_le(c->end, t->n);
		ck_assert_uint_le(c->end - c->start, max_bytes);
		ck_assert_int_le(c->tokens, target);
		ck_assert(!is_space(s[c->start]) && !is_space(s[c->end - 1]));
		ck_assert_int_eq(c->tokens, oyl__count_tokens(s + c->start, c->end - c->start));
		/* no word cut, unless longer than a chunk may be */
		int cut = c->end - c->start == max_bytes || c->tokens == target;
		if (!cut && c->end < t->n)
			ck_assert_msg(is_space(s[c->end]), "chunk %zu ends inside a word", i);
		/* in order, overlapping or adjacent, never leaving a gap */
		if (i > 0) {
			ck_assert_uint_gt(c->start, a.c[i - 1].start);
			ck_assert_uint_gt(c->end, a.c[i - 1].end);
		}
		for (size_t k = covered; k < c->start; k++)
			ck_assert_msg(is_space(s[k]), "byte %zu is in no chunk", k);
		if (c->end > covered)
			covered = c->end;
		/* characters agree with bytes */
		ck_assert_int_eq(c->start_char, (int64_t)oyl__utf8_chars(s, c->start));
		ck_assert_int_eq(c->end_char - c->start_char,
				 (int64_t)oyl__utf8_chars(s + c->start, c->end - c->start));
	}
	for (size_t k = covered; k < t->n; k++)
		ck_assert_msg(is_space(s[k]), "byte %zu after the last chunk", k);
	collected_free(&a);
	collected_free(&b);
}

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33) % n;
}

/* Generated text: words of 1..14 letters (some non-ASCII, some very
 * long), sentences, paragraphs, headings, page marks. */
static void generate(oyl__text *t, size_t words)
{
	static const char *const syll[] = {"ka", "lo", "\xc3\xa9t", "mi", "su", "\xce\xb1\xce\xb2",
					   "ra", "te", "\xe4\xb8\xad", "no"};
	int64_t page = 1;
	oyl__text_page(t, page);
	for (size_t w = 0; w < words; w++) {
		uint32_t r = rnd(1000);
		if (r < 8) {
			oyl__text_paragraph(t);
			char title[32];
			snprintf(title, sizeof title, "Heading %zu", w);
			oyl__text_section(t, 1 + (int)rnd(3), title, strlen(title));
			oyl__text_puts(t, title);
			oyl__text_paragraph(t);
		} else if (r < 10) {
			oyl__text_page(t, ++page);
		} else if (r < 12) {
			for (int k = 0; k < 600; k++) /* a word too long for a chunk */
				oyl__text_puts(t, "x");
		} else if (r < 13) {
			oyl__text_puts(t, "snake_case-and-hyphens/and.dots");
		}
		int syllables = 1 + (int)rnd(4);
		for (int k = 0; k < syllables; k++)
			oyl__text_puts(t, syll[rnd(10)]);
		r = rnd(100);
		oyl__text_puts(t, r < 8 ? ". " : r < 10 ? "? " : r < 12 ? ",\n" : " ");
		if (rnd(100) < 3)
			oyl__text_paragraph(t);
	}
}

START_TEST(chunks_of_generated_text_keep_every_property)
{
	static const int64_t opts[][2] = {{200, 40}, {50, 10}, {10, 0}, {1, 0}, {30, 29}, {400, 100}};
	for (int seed = 0; seed < 12; seed++) {
		rng_state = (uint64_t)seed + 1;
		oyl__text t;
		oyl__text_init(&t, 64 << 20);
		generate(&t, 200 + (size_t)seed * 700);
		ck_assert_int_eq(t.status, OYL_OK);
		for (size_t o = 0; o < sizeof opts / sizeof opts[0]; o++)
			check_chunks(&t, opts[o][0], opts[o][1]);
		oyl__text_free(&t);
	}
}
END_TEST

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *d = malloc((size_t)len + 1);
	*n = fread(d, 1, (size_t)len, f);
	fclose(f);
	return d;
}

START_TEST(chunks_of_real_text_keep_every_property)
{
	const char *dir = "/usr/share/common-licenses";
	DIR *dh = opendir(dir);
	ck_assert_ptr_nonnull(dh);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		size_t n;
		char *d = slurp(path, &n);
		if (!d)
			continue;
		oyl__text t;
		oyl__text_init(&t, 64 << 20);
		oyl__text_append(&t, d, n);
		free(d);
		check_chunks(&t, 200, 40);
		check_chunks(&t, 64, 16);
		oyl__text_free(&t);
		files++;
	}
	closedir(dh);
	ck_assert_int_gt(files, 5);
}
END_TEST

START_TEST(a_chunk_prefers_the_strongest_boundary)
{
	/* Two paragraphs of 6 words and a third: with a target of 14, the
	 * first chunk ends at the paragraph, not mid-sentence. */
	oyl__text t;
	oyl__text_init(&t, 1 << 20);
	oyl__text_puts(&t, "one two three. four five six\n\nseven eight nine ten. eleven twelve\n\n"
			   "thirteen fourteen fifteen sixteen");
	oyl__chunk_options o = {14, 0};
	collected a = {0};
	ck_assert_int_eq(oyl__chunk_text(&t, &o, collect, &a), OYL_OK);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_int_eq(a.c[0].tokens, 12);
	ck_assert(strncmp(oyl__text_str(&t) + a.c[1].start, "thirteen", 8) == 0);
	collected_free(&a);
	/* With overlap, the next chunk starts at a sentence start. */
	o = (oyl__chunk_options){8, 4};
	ck_assert_int_eq(oyl__chunk_text(&t, &o, collect, &a), OYL_OK);
	ck_assert(strncmp(oyl__text_str(&t) + a.c[1].start, "four", 4) == 0 ||
		  strncmp(oyl__text_str(&t) + a.c[1].start, "seven", 5) == 0);
	collected_free(&a);
	oyl__text_free(&t);
}
END_TEST

START_TEST(chunks_know_their_page_and_section_path)
{
	oyl__text t;
	oyl__text_init(&t, 1 << 20);
	oyl__text_page(&t, 1);
	oyl__text_section(&t, 1, "Guide", 5);
	oyl__text_puts(&t, "Guide");
	oyl__text_paragraph(&t);
	oyl__text_section(&t, 2, "Install \"it\"", 12);
	oyl__text_puts(&t, "Install it. Run the installer now.");
	oyl__text_paragraph(&t);
	oyl__text_page(&t, 2);
	oyl__text_section(&t, 2, "Use", 3);
	oyl__text_puts(&t, "Use it daily.");
	oyl__chunk_options o = {3, 0};
	collected a = {0};
	ck_assert_int_eq(oyl__chunk_text(&t, &o, collect, &a), OYL_OK);
	ck_assert_uint_ge(a.n, 3);
	ck_assert_int_eq(a.c[0].page, 1);
	ck_assert_str_eq(a.c[0].section, "[\"Guide\"]");
	ck_assert_str_eq(a.c[1].section, "[\"Guide\",\"Install \\\"it\\\"\"]");
	ck_assert_int_eq(a.c[a.n - 1].page, 2);
	ck_assert_str_eq(a.c[a.n - 1].section, "[\"Guide\",\"Use\"]");
	collected_free(&a);
	oyl__text_free(&t);
}
END_TEST

START_TEST(empty_and_blank_text_give_no_chunk)
{
	oyl__text t;
	oyl__text_init(&t, 1 << 20);
	oyl__chunk_options o = {200, 40};
	collected a = {0};
	ck_assert_int_eq(oyl__chunk_text(&t, &o, collect, &a), OYL_OK);
	oyl__text_puts(&t, " \n\n\t ");
	ck_assert_int_eq(oyl__chunk_text(&t, &o, collect, &a), OYL_OK);
	ck_assert_uint_eq(a.n, 0);
	o.overlap_tokens = 200;
	ck_assert_int_eq(oyl__chunk_text(&t, &o, collect, &a), OYL_EINVAL);
	oyl__text_free(&t);
}
END_TEST

/* ---- formats ----------------------------------------------------------- */

static int run(const char *mime, const char *data, size_t n, oyl__text *t, oyl__extract_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->mime_type = mime;
	ctx->name = "test";
	oyl__text_init(t, 64 << 20);
	const oyl__extractor *x = oyl__extractor_for(mime);
	ck_assert_ptr_nonnull(x);
	return x->extract((const unsigned char *)data, n, t, ctx);
}

static const oyl__mark *section_mark(const oyl__text *t, size_t k)
{
	for (size_t i = 0; i < t->nmarks; i++)
		if (t->marks[i].kind == OYL__MARK_SECTION && k-- == 0)
			return &t->marks[i];
	return NULL;
}

START_TEST(markdown_headings_are_sections)
{
	const char *md = "# Title\n\nIntro.\n\n```\n# not a heading\n```\n\nSetext\n------\n\n"
			 "### Deep ###\nText.\n";
	oyl__text t;
	oyl__extract_ctx ctx;
	ck_assert_int_eq(run("text/markdown", md, strlen(md), &t, &ctx), OYL_OK);
	ck_assert_str_eq(oyl__text_str(&t), md); /* the text is kept */
	ck_assert_str_eq(section_mark(&t, 0)->title, "Title");
	ck_assert_int_eq(section_mark(&t, 0)->level, 1);
	ck_assert_str_eq(section_mark(&t, 1)->title, "Setext");
	ck_assert_int_eq(section_mark(&t, 1)->level, 2);
	ck_assert(strncmp(oyl__text_str(&t) + section_mark(&t, 1)->at, "Setext", 6) == 0);
	ck_assert_str_eq(section_mark(&t, 2)->title, "Deep");
	ck_assert_int_eq(section_mark(&t, 2)->level, 3);
	ck_assert_ptr_null(section_mark(&t, 3));
	oyl__text_free(&t);
}
END_TEST

START_TEST(binary_labelled_text_is_refused)
{
	char junk[4096];
	rng_state = 7;
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)rnd(256);
	oyl__text t;
	oyl__extract_ctx ctx;
	ck_assert_int_eq(run("text/plain", junk, sizeof junk, &t, &ctx), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "not text"));
	oyl__text_free(&t);
}
END_TEST

START_TEST(csv_rows_carry_their_header_names)
{
	const char *csv = "\xef\xbb\xbfname,note,n\r\n"
			  "Ada,\"likes \"\"maths\"\", and\r\nengines\",1\r\n"
			  "\r\n"
			  "Bob,,2,extra\n";
	oyl__text t;
	oyl__extract_ctx ctx;
	ck_assert_int_eq(run("text/csv", csv, strlen(csv), &t, &ctx), OYL_OK);
	ck_assert_str_eq(oyl__text_str(&t), "name: Ada\nnote: likes \"maths\", and\nengines\nn: 1\n\n"
					    "name: Bob\nn: 2\ncolumn 4: extra\n\n");
	oyl__text_free(&t);
}
END_TEST

START_TEST(csv_unterminated_quote_and_huge_field_are_refused)
{
	const char *bad = "a,b\n1,\"open\n2,3\n";
	oyl__text t;
	oyl__extract_ctx ctx;
	ck_assert_int_eq(run("text/csv", bad, strlen(bad), &t, &ctx), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "line 2"));
	oyl__text_free(&t);
	size_t n = 10u << 20;
	char *big = malloc(n + 16);
	memcpy(big, "a,b\n1,", 6);
	memset(big + 6, 'x', n);
	memcpy(big + 6 + n, "\n", 2);
	ck_assert_int_eq(run("text/csv", big, n + 7, &t, &ctx), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "larger than"));
	free(big);
	oyl__text_free(&t);
}
END_TEST

START_TEST(html_keeps_what_a_reader_sees)
{
	const char *html =
		"<!DOCTYPE html><html><head><title>T</title><style>p{}</style>"
		"<script>var x = 1;</script></head><body>"
		"<h1>Caf&eacute; &amp; more</h1><p>One   two\n three.</p>"
		"<div>Block<br>line</div><script>alert(1)</script>"
		"<h2>Table</h2><table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr>"
		"</table><pre>  keep\n   this</pre><p>&#x263A; &lt;end&gt;</p></body></html>";
	oyl__text t;
	oyl__extract_ctx ctx;
	ck_assert_int_eq(run("text/html", html, strlen(html), &t, &ctx), OYL_OK);
	ck_assert_str_eq(oyl__text_str(&t), "Caf\xc3\xa9 & more\n\nOne two three.\n\nBlock\nline\n\n"
					    "Table\n\na | b\n1 | 2\n\n  keep\n   this\n\n"
					    "\xe2\x98\xba <end>\n\n");
	ck_assert_str_eq(section_mark(&t, 0)->title, "Caf\xc3\xa9 & more");
	ck_assert_int_eq(section_mark(&t, 1)->level, 2);
	ck_assert(strncmp(oyl__text_str(&t) + section_mark(&t, 1)->at, "Table", 5) == 0);
	oyl__text_free(&t);
}
END_TEST

START_TEST(html_honours_its_declared_charset)
{
	const char *html = "<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9</p>";
	oyl__text t;
	oyl__extract_ctx ctx;
	ck_assert_int_eq(run("text/html", html, strlen(html), &t, &ctx), OYL_OK);
	ck_assert_str_eq(oyl__text_str(&t), "caf\xc3\xa9\n\n");
	ck_assert_int_eq(t.invalid, 0);
	oyl__text_free(&t);
}
END_TEST

START_TEST(html_nested_100000_deep_is_read_without_harm)
{
	size_t depth = 100000;
	size_t n = depth * 5 + depth * 6 + 64;
	char *html = malloc(n);
	size_t at = 0;
	at += (size_t)sprintf(html + at, "<html><body>");
	for (size_t i = 0; i < depth; i++)
		at += (size_t)sprintf(html + at, "<div>");
	at += (size_t)sprintf(html + at, "deep");
	for (size_t i = 0; i < depth; i++)
		at += (size_t)sprintf(html + at, "</div>");
	oyl__text t;
	oyl__extract_ctx ctx;
	int rc = run("text/html", html, at, &t, &ctx);
	/* Refused with the parser's reason, quickly, and no crash. */
	ck_assert_int_eq(rc, OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(ctx.errmsg, "depth"));
	free(html);
	oyl__text_free(&t);
}
END_TEST

START_TEST(types_are_sniffed_from_magic_then_extension)
{
	ck_assert_str_eq(oyl__sniff_mime((const unsigned char *)"%PDF-1.7", 8, "x.txt"),
			 "application/pdf");
	ck_assert_str_eq(oyl__sniff_mime((const unsigned char *)"\x89PNG\r\n\x1a\n", 8, NULL),
			 "image/png");
	ck_assert_str_eq(oyl__sniff_mime((const unsigned char *)"\xff\xd8\xff\xe0", 4, "a"),
			 "image/jpeg");
	ck_assert_str_eq(oyl__sniff_mime((const unsigned char *)"II*\0", 4, "a"), "image/tiff");
	ck_assert_str_eq(oyl__sniff_mime((const unsigned char *)"  <!DOCTYPE html>", 17, "a.txt"),
			 "text/html");
	ck_assert_str_eq(oyl__sniff_mime((const unsigned char *)"a,b\n1,2\n", 8, "d.CSV"),
			 "text/csv");
	ck_assert_str_eq(oyl__sniff_mime((const unsigned char *)"# hi\n", 5, "r.md"),
			 "text/markdown");
	ck_assert_str_eq(oyl__sniff_mime((const unsigned char *)"plain words", 11, "noext"),
			 "text/plain");
	ck_assert_ptr_null(oyl__sniff_mime((const unsigned char *)"\x01\x02\0\xff", 4, "blob"));
	ck_assert_ptr_null(oyl__sniff_mime((const unsigned char *)"PK\x03\x04zzzz", 8, "a.zip"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("chunking");
	TCase *tc = tcase_create("text");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, line_ends_become_lf_even_split_across_appends);
	tcase_add_test(tc, invalid_utf8_becomes_replacement_and_is_counted);
	tcase_add_test(tc, nul_bytes_are_removed_and_counted);
	tcase_add_test(tc, text_is_nfc);
	tcase_add_test(tc, text_past_its_limit_fails_and_stays_failed);
	tcase_add_test(tc, chunks_of_generated_text_keep_every_property);
	tcase_add_test(tc, chunks_of_real_text_keep_every_property);
	tcase_add_test(tc, a_chunk_prefers_the_strongest_boundary);
	tcase_add_test(tc, chunks_know_their_page_and_section_path);
	tcase_add_test(tc, empty_and_blank_text_give_no_chunk);
	tcase_add_test(tc, markdown_headings_are_sections);
	tcase_add_test(tc, binary_labelled_text_is_refused);
	tcase_add_test(tc, csv_rows_carry_their_header_names);
	tcase_add_test(tc, csv_unterminated_quote_and_huge_field_are_refused);
	tcase_add_test(tc, html_keeps_what_a_reader_sees);
	tcase_add_test(tc, html_honours_its_declared_charset);
	tcase_add_test(tc, html_nested_100000_deep_is_read_without_harm);
	tcase_add_test(tc, types_are_sniffed_from_magic_then_extension);
	suite_add_tcase(s, tc);
	return t_run(s);
}
