/*
 * Documents through the public API, on every backend (argv[1]): ingest
 * and upload from memory and from files, what every getter says, the
 * text and chunks kept, the original read back byte for byte, the same
 * bytes not stored twice, quotas, cancellation, reprocessing, deletes
 * that take chunks and originals and nothing else, and the permission
 * matrix of documents.  With argv[2] "dir", originals go to a directory
 * store instead of the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "identity/secret.h"

#include <openssl/evp.h>

static oyl_db *db;
static oyl_actor *root, *admin_a, *user_a, *admin_b;
static char tenant_a[37], tenant_b[37], kb_a[37], kb_b[37];
static char blob_dir[64];
static int use_dir;

static void make_user(const char *tenant, const char *email, int role, oyl_actor **actor)
{
	oyl_user *u = NULL;
	ck_assert_int_eq(oyl_user_create(root, tenant, email, "Person", role, &u), OYL_OK);
	ck_assert_int_eq(oyl_actor_for_user(db, oyl_user_id(u), actor), OYL_OK);
	oyl_user_free(u);
}

static void setup(void)
{
	if (use_dir) {
		snprintf(blob_dir, sizeof blob_dir, "/tmp/oyl-blobs-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(blob_dir));
		char uri[T_URI_MAX];
		t_fresh_uri(uri);
		t_migrate(uri);
		oyl_db_options o = OYL_DB_OPTIONS_INIT;
		o.blob_dir = blob_dir;
		ck_assert_int_eq(oyl_db_open(&db, uri, &o), OYL_OK);
	} else {
		db = t_open();
	}
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	oyl_tenant *a = NULL, *b = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "A", "a", NULL, &a), OYL_OK);
	ck_assert_int_eq(oyl_tenant_create(root, "B", "b", NULL, &b), OYL_OK);
	memcpy(tenant_a, oyl_tenant_id(a), 37);
	memcpy(tenant_b, oyl_tenant_id(b), 37);
	oyl_tenant_free(a);
	oyl_tenant_free(b);
	make_user(tenant_a, "admin@a.example", OYL_ROLE_TENANT_ADMIN, &admin_a);
	make_user(tenant_a, "user@a.example", OYL_ROLE_USER, &user_a);
	make_user(tenant_b, "admin@b.example", OYL_ROLE_TENANT_ADMIN, &admin_b);
	t_make_kb(root, tenant_a, kb_a);
	t_make_kb(root, tenant_b, kb_b);
}

static void teardown(void)
{
	oyl_actor_free(root);
	oyl_actor_free(admin_a);
	oyl_actor_free(user_a);
	oyl_actor_free(admin_b);
	oyl_db_close(db);
	if (use_dir) {
		char cmd[512];
		snprintf(cmd, sizeof cmd, "rm -rf %s", blob_dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}

static oyl_doc_source memory(const char *name, const char *text)
{
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	s.data = text;
	s.length = strlen(text);
	s.name = name;
	return s;
}

static int64_t rows_of(const char *table)
{
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	int64_t counts[64];
	t_counts(t_backend_of(db), counts);
	for (size_t i = 0; i < n; i++)
		if (strcmp(tables[i]->name, table) == 0)
			return counts[i];
	return -1;
}

/* Files in the blob directory (not counting lock files and folders). */
static int files_in_blob_dir(void)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "find %s -type f ! -name .lock | wc -l", blob_dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static const char *const GUIDE =
	"# Guide\r\n\r\nThis guide explains the system. It has two parts.\r\n\r\n"
	"## Install\r\n\r\nRun the installer. Then restart.\r\n";

START_TEST(ingest_keeps_every_column_text_chunks_and_original)
{
	oyl_doc_source src = memory("notes/guide.md", GUIDE);
	oyl_document *d = NULL;
	int64_t before = oyl__now();
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &src, NULL, &d), OYL_OK);
	ck_assert_int_eq(oyl_document_status(d), OYL_DOC_PROCESSED);
	ck_assert_str_eq(oyl_document_tenant_id(d), tenant_a);
	ck_assert_str_eq(oyl_document_knowledge_base_id(d), kb_a);
	ck_assert_str_eq(oyl_document_original_name(d), "notes/guide.md");
	ck_assert_str_eq(oyl_document_filename(d), "guide.md");
	ck_assert_int_eq(oyl_document_size(d), (int64_t)strlen(GUIDE));
	ck_assert_str_eq(oyl_document_mime_type(d), "text/markdown");
	char sha[65];
	oyl__sha256_hex(GUIDE, strlen(GUIDE), sha);
	ck_assert_str_eq(oyl_document_sha256(d), sha);
	ck_assert_ptr_null(oyl_document_error(d));
	ck_assert_int_eq(oyl_document_progress(d), 100);
	ck_assert_int_ge(oyl_document_processed_at(d), before);
	ck_assert_ptr_nonnull(oyl_document_uploader_id(d));
	ck_assert_int_eq(oyl_document_attempt(d), 1);
	ck_assert_int_ge(oyl_document_chunk_count(d), 1);
	ck_assert_int_eq(oyl_document_invalid_utf8(d), 0);
	char *json = NULL;
	ck_assert_int_eq(oyl_document_to_json(d, &json), OYL_OK);
	ck_assert_ptr_null(strstr(json, "raw_content")); /* the text is not metadata */
	oyl_free(json);

	/* the text, normalised (CRLF became LF) */
	char *text = NULL;
	size_t len = 0;
	ck_assert_int_eq(oyl_doc_text(user_a, oyl_document_id(d), &text, &len), OYL_OK);
	ck_assert_str_eq(text, "# Guide\n\nThis guide explains the system. It has two parts.\n\n"
			       "## Install\n\nRun the installer. Then restart.\n");
	ck_assert_uint_eq(len, strlen(text));

	/* small chunks: each one's content is the text at its offsets */
	oyl_doc_options o = OYL_DOC_OPTIONS_INIT;
	o.chunk_tokens = 6;
	o.chunk_overlap = -1;
	oyl_document *d2 = NULL;
	ck_assert_int_eq(oyl_doc_reprocess(admin_a, oyl_document_id(d), &o, &d2), OYL_OK);
	ck_assert_int_eq(oyl_document_attempt(d2), 2);
	oyl_page *p = NULL;
	oyl_list_options lo = OYL_LIST_OPTIONS_INIT;
	lo.flags = OYL_LIST_TOTAL;
	ck_assert_int_eq(oyl_doc_chunks(user_a, oyl_document_id(d), &lo, &p), OYL_OK);
	ck_assert_int_eq(oyl_page_total(p), oyl_document_chunk_count(d2));
	ck_assert_uint_ge(oyl_page_count(p), 3);
	for (size_t i = 0; i < oyl_page_count(p); i++) {
		const oyl_chunk *c = oyl_page_chunk(p, i);
		ck_assert_int_eq(oyl_chunk_ordinal(c), (int64_t)i);
		ck_assert_str_eq(oyl_chunk_document_id(c), oyl_document_id(d));
		size_t start = (size_t)oyl_chunk_start(c), end = (size_t)oyl_chunk_end(c);
		ck_assert(strncmp(text + start, oyl_chunk_content(c), end - start) == 0); /* ASCII */
		ck_assert_int_le(oyl_chunk_token_count(c), 6);
		ck_assert_int_eq(oyl_chunk_page(c), 0);
	}
	/* the last chunk is under both headings */
	const oyl_chunk *last = oyl_page_chunk(p, oyl_page_count(p) - 1);
	ck_assert_str_eq(oyl_chunk_section(last), "[\"Guide\",\"Install\"]");
	oyl_page_free(p);

	/* the original, byte for byte */
	struct {
		char buf[512];
		size_t n;
	} got = {{0}, 0};
	int collect(const void *data, size_t n, void *ctx);
	ck_assert_int_eq(oyl_doc_read_original(user_a, oyl_document_id(d), collect, &got), OYL_OK);
	ck_assert_uint_eq(got.n, strlen(GUIDE));
	ck_assert(memcmp(got.buf, GUIDE, got.n) == 0);
	oyl_free(text);
	oyl_document_free(d);
	oyl_document_free(d2);
}
END_TEST

int collect(const void *data, size_t n, void *ctx)
{
	struct {
		char buf[512];
		size_t n;
	} *got = ctx;
	if (got->n + n > sizeof got->buf)
		return -1;
	memcpy(got->buf + got->n, data, n);
	got->n += n;
	return 0;
}

/* What another connection sees while a document is being processed. */
typedef struct observer {
	oyl_db *other;
	oyl_actor *admin;
	const char *id;
	int calls, checked;
	int64_t last_bytes, last_chunks, bytes_total, chunks_total;
	int went_back;
	char first_chunk[64];
} observer;

static int observe(int64_t bytes, int64_t bytes_total, int64_t chunks, int64_t chunks_total,
		   void *ctx)
{
	observer *o = ctx;
	o->calls++;
	if (bytes < o->last_bytes || chunks < o->last_chunks)
		o->went_back = 1;
	o->last_bytes = bytes;
	o->last_chunks = chunks;
	o->bytes_total = bytes_total;
	o->chunks_total = chunks_total;
	if (!o->id || o->checked)
		return 0;
	/* mid-way: the old chunk set is whole, and a second start is refused */
	oyl_page *p = NULL;
	oyl_list_options lo = OYL_LIST_OPTIONS_INIT;
	lo.flags = OYL_LIST_TOTAL;
	if (oyl_doc_chunks(o->admin, o->id, &lo, &p) != OYL_OK)
		return 0;
	snprintf(o->first_chunk, sizeof o->first_chunk, "%lld:%s", (long long)oyl_page_total(p),
		 oyl_chunk_content(oyl_page_chunk(p, 0)));
	oyl_page_free(p);
	oyl_document *d = NULL;
	if (oyl_doc_get(o->admin, o->id, &d) == OYL_OK && oyl_document_status(d) == OYL_DOC_PROCESSING &&
	    oyl_doc_reprocess(o->admin, o->id, NULL, NULL) == OYL_ECONFLICT &&
	    strstr(oyl_db_errmsg(o->other), "is processing"))
		o->checked = 1;
	oyl_document_free(d);
	return 0;
}

START_TEST(reprocess_swaps_the_chunk_set_whole)
{
	if (use_dir)
		return; /* one store is enough: this is about the chunks */
	char text[4096];
	size_t at = 0;
	for (int i = 0; i < 60; i++)
		at += (size_t)snprintf(text + at, sizeof text - at,
				       "Sentence number %d of the document. ", i);
	oyl_doc_source s = memory("swap.txt", text);
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s, NULL, &d), OYL_OK);
	int64_t old_count = oyl_document_chunk_count(d);
	/* Looked at from the callback, while the work runs with no transaction
	 * open: what any other connection would see (the finish is one
	 * transaction, so they see the old set until it commits). */
	observer o;
	memset(&o, 0, sizeof o);
	o.other = db;
	oyl_actor_for_user(db, oyl_document_uploader_id(d), &o.admin);
	o.id = oyl_document_id(d);
	oyl_doc_options opts = OYL_DOC_OPTIONS_INIT;
	opts.chunk_tokens = 10;
	opts.chunk_overlap = -1;
	opts.progress = observe;
	opts.progress_ctx = &o;
	oyl_document *d2 = NULL;
	ck_assert_int_eq(oyl_doc_reprocess(admin_a, oyl_document_id(d), &opts, &d2), OYL_OK);
	ck_assert_msg(o.checked, "the callback did not see the document processing (%d calls)",
		      o.calls);
	/* mid-way the old set was there, whole */
	char want[64];
	oyl_page *p = NULL;
	snprintf(want, sizeof want, "%lld:Sentence number 0", (long long)old_count);
	ck_assert_msg(strncmp(o.first_chunk, want, strlen(want)) == 0, "mid-way: %s", o.first_chunk);
	/* after: the new set */
	oyl_list_options lo = OYL_LIST_OPTIONS_INIT;
	lo.flags = OYL_LIST_TOTAL;
	ck_assert_int_eq(oyl_doc_chunks(user_a, oyl_document_id(d), &lo, &p), OYL_OK);
	ck_assert_int_eq(oyl_page_total(p), oyl_document_chunk_count(d2));
	ck_assert_int_gt(oyl_page_total(p), old_count);
	oyl_page_free(p);
	/* progress went forward, to its totals */
	ck_assert(!o.went_back);
	ck_assert_int_eq(o.last_bytes, o.bytes_total);
	ck_assert_int_eq(o.last_chunks, oyl_document_chunk_count(d2));
	ck_assert_int_eq(o.chunks_total, oyl_document_chunk_count(d2));
	oyl_actor_free(o.admin);
	oyl_document_free(d);
	oyl_document_free(d2);
}
END_TEST

typedef struct hashing {
	EVP_MD_CTX *md;
	size_t n, pieces, largest;
} hashing;

static int hash_piece(const void *data, size_t n, void *ctx)
{
	hashing *h = ctx;
	EVP_DigestUpdate(h->md, data, n);
	h->n += n;
	h->pieces++;
	if (n > h->largest)
		h->largest = n;
	return 0;
}

/* An original over 1 MiB is kept in pieces and read back whole, a piece
 * (at most 1 MiB) at a time; its reprocess reads it from the store. */
START_TEST(a_large_original_comes_back_whole_in_pieces)
{
	size_t n = (5u << 20) / 2; /* 2.5 MiB */
	char *text = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		text[i] = (i % 7 == 6) ? ' ' : (char)('a' + i % 26);
	text[n] = '\0';
	oyl_doc_source src = memory("large.txt", text);
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_upload(admin_a, kb_a, &src, NULL, &d), OYL_OK);
	if (!use_dir)
		ck_assert_int_eq(rows_of("document_blobs"), 3);
	hashing h = {EVP_MD_CTX_new(), 0, 0, 0};
	EVP_DigestInit_ex(h.md, EVP_sha256(), NULL);
	ck_assert_int_eq(oyl_doc_read_original(user_a, oyl_document_id(d), hash_piece, &h), OYL_OK);
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_DigestFinal_ex(h.md, md, &mdlen);
	EVP_MD_CTX_free(h.md);
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	ck_assert_uint_eq(h.n, n);
	ck_assert_uint_le(h.largest, 1u << 20);
	ck_assert_uint_ge(h.pieces, 3);
	ck_assert_str_eq(hex, oyl_document_sha256(d));
	oyl_document *p = NULL;
	ck_assert_int_eq(oyl_doc_reprocess(admin_a, oyl_document_id(d), NULL, &p), OYL_OK);
	ck_assert_int_eq(oyl_document_status(p), OYL_DOC_PROCESSED);
	char *back = NULL;
	size_t len = 0;
	ck_assert_int_eq(oyl_doc_text(user_a, oyl_document_id(d), &back, &len), OYL_OK);
	ck_assert_uint_eq(len, n);
	ck_assert(memcmp(back, text, n) == 0);
	oyl_free(back);
	oyl_document_free(p);
	oyl_document_free(d);
	free(text);
}
END_TEST

START_TEST(same_bytes_are_not_stored_twice)
{
	oyl_doc_source src = memory("a.txt", "the same words");
	oyl_document *d1 = NULL, *d2 = NULL;
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &src, NULL, &d1), OYL_OK);
	src.name = "b.txt";
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &src, NULL, &d2), OYL_EXISTS);
	ck_assert_str_eq(oyl_document_id(d1), oyl_document_id(d2));
	ck_assert_str_eq(oyl_document_original_name(d2), "a.txt");
	ck_assert_int_eq(oyl_doc_upload(admin_a, kb_a, &src, NULL, NULL), OYL_EXISTS);
	ck_assert_int_eq(rows_of("documents"), 1);
	/* another knowledge base of another tenant may have the same bytes */
	ck_assert_int_eq(oyl_doc_ingest(admin_b, kb_b, &src, NULL, NULL), OYL_OK);
	ck_assert_int_eq(rows_of("documents"), 2);
	oyl_document_free(d1);
	oyl_document_free(d2);
}
END_TEST

START_TEST(sources_that_are_refused_store_nothing)
{
	char dir[] = "/tmp/oyl-src-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char fifo[300], big[300], empty[300];
	snprintf(fifo, sizeof fifo, "%s/pipe", dir);
	snprintf(big, sizeof big, "%s/big.txt", dir);
	snprintf(empty, sizeof empty, "%s/empty.txt", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	FILE *f = fopen(big, "w");
	for (int i = 0; i < 2000; i++)
		fputs("word ", f);
	fclose(f);
	fclose(fopen(empty, "w"));
	uint64_t before = t_fingerprint(t_backend_of(db));
	struct {
		const char *path;
		const char *data;
		const char *mime;
		int64_t max;
		int want;
		const char *says;
	} cases[] = {
		{dir, NULL, NULL, 0, OYL_EINVAL, "is a directory"},
		{fifo, NULL, NULL, 0, OYL_EINVAL, "not a regular file"},
		{"/nonexistent/x.txt", NULL, NULL, 0, OYL_EINVAL, "cannot open"},
		{big, NULL, NULL, 1000, OYL_EINVAL, "larger than the limit"},
		{empty, NULL, NULL, 0, OYL_EINVAL, "empty"},
		{NULL, "\x01\x02\x03\xff\xfe", NULL, 0, OYL_EINVAL, "type"},
		{NULL, "text", "application/x-unknown", 0, OYL_EINVAL, "mime_type"},
		{NULL, "1234567890", NULL, 5, OYL_EINVAL, "larger than the limit"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		oyl_doc_source s = OYL_DOC_SOURCE_INIT;
		s.path = cases[i].path;
		if (cases[i].data) {
			s.data = cases[i].data;
			s.length = strlen(cases[i].data);
			s.name = "x";
		}
		s.mime_type = cases[i].mime;
		oyl_doc_options o = OYL_DOC_OPTIONS_INIT;
		o.max_bytes = cases[i].max;
		oyl_document *d = (oyl_document *)1;
		int rc = oyl_doc_ingest(admin_a, kb_a, &s, &o, &d);
		ck_assert_msg(rc == cases[i].want, "case %zu: %s (%s)", i, oyl_status_name(rc),
			      oyl_db_errmsg(db));
		ck_assert_ptr_null(d);
		ck_assert_msg(strstr(oyl_db_errmsg(db), cases[i].says), "case %zu: \"%s\"", i,
			      oyl_db_errmsg(db));
	}
	/* source misuse */
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s, NULL, NULL), OYL_EINVAL);
	s.data = "x";
	s.length = 1;
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s, NULL, NULL), OYL_EINVAL); /* no name */
	s.name = "bad\xff.txt";
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s, NULL, NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, NULL, NULL, NULL), OYL_EMISUSE);
	ck_assert(t_fingerprint(t_backend_of(db)) == before);
	if (use_dir)
		ck_assert_int_eq(files_in_blob_dir(), 0);
	unlink(fifo);
	unlink(big);
	unlink(empty);
	rmdir(dir);
}
END_TEST

START_TEST(content_a_format_refuses_leaves_the_document_in_error)
{
	char junk[2048];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(0x80 + (i * 7) % 0x7f);
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	s.data = junk;
	s.length = sizeof junk;
	s.name = "junk.txt";
	s.mime_type = "text/plain";
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s, NULL, NULL), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "not text"));
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_doc_list(user_a, kb_a, OYL_DOC_ERROR, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 1);
	const oyl_document *d = oyl_page_document(p, 0);
	ck_assert_ptr_nonnull(strstr(oyl_document_error(d), "not text"));
	ck_assert_int_eq(oyl_document_chunk_count(d), 0);
	ck_assert_int_eq(rows_of("document_chunks"), 0);
	/* its text: there is none */
	char *text = NULL;
	ck_assert_int_eq(oyl_doc_text(user_a, oyl_document_id(d), &text, NULL), OYL_ENOTFOUND);
	oyl_page_free(p);
	ck_assert_int_eq(oyl_doc_list(user_a, kb_a, OYL_DOC_PROCESSED, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 0);
	oyl_page_free(p);
	ck_assert_int_eq(oyl_doc_list(user_a, kb_a, 9, NULL, &p), OYL_EINVAL);
}
END_TEST

static int cancel_at_chunks(int64_t bytes, int64_t total, int64_t chunks, int64_t chunk_total,
			    void *ctx)
{
	(void)bytes, (void)total, (void)chunks;
	int *calls = ctx;
	(*calls)++;
	return chunk_total > 0; /* once the chunks are known, before they are written */
}

START_TEST(a_cancel_leaves_the_document_in_error_cancelled_without_chunks)
{
	oyl_doc_source s = memory("c.txt", "some words to chunk here");
	oyl_doc_options o = OYL_DOC_OPTIONS_INIT;
	int calls = 0;
	o.progress = cancel_at_chunks;
	o.progress_ctx = &calls;
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s, &o, &d), OYL_ECANCELED);
	ck_assert_ptr_null(d);
	ck_assert_int_ge(calls, 1);
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_doc_list(admin_a, kb_a, OYL_DOC_ANY, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 1);
	ck_assert_int_eq(oyl_document_status(oyl_page_document(p, 0)), OYL_DOC_ERROR);
	ck_assert_str_eq(oyl_document_error(oyl_page_document(p, 0)), "cancelled");
	ck_assert_int_eq(rows_of("document_chunks"), 0);
	/* the same bytes again: the document in error is tried again */
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s, NULL, &d), OYL_OK);
	ck_assert_str_eq(oyl_document_id(d), oyl_document_id(oyl_page_document(p, 0)));
	ck_assert_int_eq(oyl_document_status(d), OYL_DOC_PROCESSED);
	oyl_page_free(p);
	oyl_document_free(d);
}
END_TEST

START_TEST(upload_leaves_the_document_for_a_worker)
{
	oyl_doc_source s = memory("u.txt", "queued words");
	oyl_document *d = NULL;
	ck_assert_int_eq(oyl_doc_upload(admin_a, kb_a, &s, NULL, &d), OYL_OK);
	ck_assert_int_eq(oyl_document_status(d), OYL_DOC_UPLOADED);
	ck_assert_int_eq(oyl_document_attempt(d), 0);
	ck_assert_int_eq(rows_of("ingest_jobs"), 1);
	ck_assert_int_eq(rows_of("document_chunks"), 0);
	char *text = NULL;
	ck_assert_int_eq(oyl_doc_text(admin_a, oyl_document_id(d), &text, NULL), OYL_ENOTFOUND);
	/* processing it now works from the stored original */
	oyl_document *p = NULL;
	ck_assert_int_eq(oyl_doc_reprocess(admin_a, oyl_document_id(d), NULL, &p), OYL_OK);
	ck_assert_int_eq(oyl_document_status(p), OYL_DOC_PROCESSED);
	ck_assert_int_eq(oyl_doc_text(admin_a, oyl_document_id(d), &text, NULL), OYL_OK);
	ck_assert_str_eq(text, "queued words");
	oyl_free(text);
	oyl_document_free(d);
	oyl_document_free(p);
}
END_TEST

START_TEST(quotas_are_decided_in_the_transaction)
{
	ck_assert_int_eq(oyl_tenant_set_quotas(root, tenant_a, -1, 2, -1), OYL_OK);
	oyl_doc_source s1 = memory("1.txt", "one"), s2 = memory("2.txt", "two"),
		       s3 = memory("3.txt", "three");
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s1, NULL, NULL), OYL_OK);
	ck_assert_int_eq(oyl_doc_upload(admin_a, kb_a, &s2, NULL, NULL), OYL_OK);
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s3, NULL, NULL), OYL_EQUOTA);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "at most 2 documents"));
	/* bytes: 3 + 3 stored, 5 more is over 10 */
	ck_assert_int_eq(oyl_tenant_set_quotas(root, tenant_a, -1, -1, 10), OYL_OK);
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s3, NULL, NULL), OYL_EQUOTA);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "at most 10 bytes"));
	ck_assert_int_eq(rows_of("documents"), 2);
	if (use_dir)
		ck_assert_int_eq(files_in_blob_dir(), 2); /* the refused one's file went */
	ck_assert_int_eq(oyl_tenant_set_quotas(root, tenant_a, -1, -1, 11), OYL_OK);
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s3, NULL, NULL), OYL_OK);
}
END_TEST

/* What oyl_doc_ingest_many told: each source's index, status, message. */
typedef struct told {
	size_t n, stop_after;
	size_t index[16];
	int status[16];
	char message[16][200];
	char doc_id[16][37];
	int64_t chunks[16];
} told;

static int tell_of(size_t index, int status, const char *message, const oyl_document *doc,
		   void *ctx)
{
	told *t = ctx;
	ck_assert_uint_lt(t->n, 16);
	t->index[t->n] = index;
	t->status[t->n] = status;
	snprintf(t->message[t->n], sizeof t->message[0], "%s", message ? message : "");
	snprintf(t->doc_id[t->n], 37, "%s", doc ? oyl_document_id(doc) : "");
	t->chunks[t->n] = doc ? oyl_document_chunk_count(doc) : -1;
	t->n++;
	return t->stop_after && t->n == t->stop_after;
}

/*
 * Many sources in one call: each added as oyl_doc_ingest would, told in
 * order (a refused one, one of bytes stored already, one repeated within
 * the call and one over the at-once size among them), with the same rows
 * as one call per source; a stop from the callback, a knowledge base of
 * another tenant, and bad arguments.
 */
START_TEST(ingest_many_adds_each_source_in_order)
{
	oyl_doc_source stored = memory("stored.txt", "words stored before the call");
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &stored, NULL, NULL), OYL_OK);
	/* larger than the at-once size (8 MiB): stored first, then processed */
	size_t big_n = (9u << 20);
	char *big_text = malloc(big_n + 1);
	for (size_t i = 0; i < big_n; i++)
		big_text[i] = "large text "[i % 11];
	big_text[big_n] = '\0';
	enum { N = 9 };
	oyl_doc_source src[N] = {
		memory("one.md", "# One\n\nThe first source, about apples."),
		memory("empty.txt", ""),
		memory("two.txt", "The second source, about pears."),
		memory("again.txt", "words stored before the call"),
		memory("one-again.md", "# One\n\nThe first source, about apples."),
		memory("big.txt", big_text),
		memory("three.txt", "The third source, about plums; it's 'quoted' -- and verbatim."),
		/* two in a row worked ahead, the second of the first's bytes */
		memory("four.txt", "The fourth source, about figs."),
		memory("four-again.txt", "The fourth source, about figs."),
	};
	const oyl_doc_source *ptr[N];
	for (int i = 0; i < N; i++)
		ptr[i] = &src[i];
	told t;
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(oyl_doc_ingest_many(admin_a, kb_a, ptr, N, NULL, tell_of, &t), OYL_OK);
	ck_assert_uint_eq(t.n, N);
	static const int want[N] = {OYL_OK,     OYL_EINVAL, OYL_OK, OYL_EXISTS, OYL_EXISTS,
				    OYL_OK,     OYL_OK,     OYL_OK, OYL_EXISTS};
	for (size_t i = 0; i < N; i++) {
		ck_assert_uint_eq(t.index[i], i);
		ck_assert_msg(t.status[i] == want[i], "source %zu: %s (%s)", i,
			      oyl_status_name(t.status[i]), t.message[i]);
		ck_assert_int_eq(t.message[i][0] != '\0', want[i] < 0);
		ck_assert_int_eq(t.doc_id[i][0] != '\0', want[i] >= 0);
	}
	ck_assert_ptr_nonnull(strstr(t.message[1], "empty"));
	ck_assert_str_eq(t.doc_id[4], t.doc_id[0]); /* repeated within the call */
	ck_assert_str_eq(t.doc_id[8], t.doc_id[7]);
	ck_assert_int_gt(t.chunks[5], 1000);
	/* each as oyl_doc_ingest leaves it: processed, its chunks searchable */
	for (int i = 0; i < N; i++) {
		if (t.status[i] != OYL_OK)
			continue;
		oyl_document *d = NULL;
		ck_assert_int_eq(oyl_doc_get(user_a, t.doc_id[i], &d), OYL_OK);
		ck_assert_int_eq(oyl_document_status(d), OYL_DOC_PROCESSED);
		ck_assert_int_eq(oyl_document_chunk_count(d), t.chunks[i]);
		oyl_document_free(d);
	}
	char *text = NULL;
	ck_assert_int_eq(oyl_doc_text(admin_a, t.doc_id[6], &text, NULL), OYL_OK);
	ck_assert_str_eq(text, "The third source, about plums; it's 'quoted' -- and verbatim.");
	oyl_free(text);
	ck_assert_int_eq(rows_of("documents"), 6);
	free(big_text);

	/* the callback stops it: later sources are not tried */
	oyl_doc_source more[3] = {memory("m1.txt", "more one"), memory("m2.txt", "more two"),
				  memory("m3.txt", "more three")};
	const oyl_doc_source *mp[3] = {&more[0], &more[1], &more[2]};
	memset(&t, 0, sizeof t);
	t.stop_after = 1;
	ck_assert_int_eq(oyl_doc_ingest_many(admin_a, kb_a, mp, 3, NULL, tell_of, &t),
			 OYL_ECANCELED);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_int_eq(rows_of("documents"), 7);

	/* another tenant's knowledge base: not found, told once, nothing stored */
	uint64_t before = t_fingerprint(t_backend_of(db));
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(oyl_doc_ingest_many(admin_a, kb_b, mp, 3, NULL, tell_of, &t),
			 OYL_ENOTFOUND);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_int_eq(t.status[0], OYL_ENOTFOUND);
	/* a user may not add documents */
	ck_assert_int_eq(oyl_doc_ingest_many(user_a, kb_a, mp, 3, NULL, NULL, NULL), OYL_EPERM);
	/* bad arguments, refused before any source */
	const oyl_doc_source *holes[2] = {&more[0], NULL};
	ck_assert_int_eq(oyl_doc_ingest_many(admin_a, kb_a, holes, 2, NULL, NULL, NULL),
			 OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "sources[1]"));
	oyl_doc_options o = OYL_DOC_OPTIONS_INIT;
	o.progress = observe;
	ck_assert_int_eq(oyl_doc_ingest_many(admin_a, kb_a, mp, 3, &o, NULL, NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl_doc_ingest_many(admin_a, "x'; DROP TABLE documents; --", mp, 3, NULL,
					     NULL, NULL),
			 OYL_EINVAL);
	ck_assert_int_eq(oyl_doc_ingest_many(admin_a, kb_a, NULL, 0, NULL, NULL, NULL), OYL_OK);
	ck_assert(t_fingerprint(t_backend_of(db)) == before);
}
END_TEST

START_TEST(documents_follow_the_permission_matrix)
{
	oyl_doc_source s = memory("p.txt", "permission words");
	oyl_document *d = NULL;
	/* users read; only admins add, reprocess, delete */
	ck_assert_int_eq(oyl_doc_ingest(user_a, kb_a, &s, NULL, NULL), OYL_EPERM);
	ck_assert_int_eq(oyl_doc_upload(user_a, kb_a, &s, NULL, NULL), OYL_EPERM);
	const oyl_doc_source *one[1] = {&s};
	ck_assert_int_eq(oyl_doc_ingest_many(user_a, kb_a, one, 1, NULL, NULL, NULL), OYL_EPERM);
	ck_assert_int_eq(oyl_doc_ingest_many(admin_b, kb_a, one, 1, NULL, NULL, NULL),
			 OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_doc_ingest(root, kb_a, &s, NULL, &d), OYL_OK);
	ck_assert_ptr_null(oyl_document_uploader_id(d)); /* the host's superadmin is nobody */
	const char *id = oyl_document_id(d);
	ck_assert_int_eq(oyl_doc_reprocess(user_a, id, NULL, NULL), OYL_EPERM);
	ck_assert_int_eq(oyl_doc_delete(user_a, id), OYL_EPERM);
	oyl_document *g = NULL;
	ck_assert_int_eq(oyl_doc_get(user_a, id, &g), OYL_OK);
	oyl_document_free(g);
	/* another tenant's admin: nothing exists */
	ck_assert_int_eq(oyl_doc_get(admin_b, id, &g), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_doc_delete(admin_b, id), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_doc_reprocess(admin_b, id, NULL, NULL), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_doc_ingest(admin_b, kb_a, &s, NULL, NULL), OYL_ENOTFOUND);
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_doc_list(admin_b, kb_a, OYL_DOC_ANY, NULL, &p), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_doc_chunks(admin_b, id, NULL, &p), OYL_ENOTFOUND);
	char *text = NULL;
	ck_assert_int_eq(oyl_doc_text(admin_b, id, &text, NULL), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_doc_read_original(admin_b, id, collect, NULL), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_doc_delete(admin_a, id), OYL_OK);
	oyl_document_free(d);
}
END_TEST

START_TEST(deletes_take_chunks_and_originals_and_nothing_else)
{
	oyl_doc_source s1 = memory("1.txt", "first document words"),
		       s2 = memory("2.txt", "second document words");
	oyl_document *d1 = NULL;
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s1, NULL, &d1), OYL_OK);
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s2, NULL, NULL), OYL_OK);
	ck_assert_int_eq(oyl_doc_ingest(admin_b, kb_b, &s1, NULL, NULL), OYL_OK);
	int64_t chunks = rows_of("document_chunks"), blobs = rows_of("document_blobs");
	ck_assert_int_eq(oyl_doc_delete(admin_a, oyl_document_id(d1)), OYL_OK);
	ck_assert_int_eq(rows_of("documents"), 2);
	ck_assert_int_eq(rows_of("document_chunks"), chunks - 1);
	ck_assert_int_eq(rows_of("document_blobs"), use_dir ? 0 : blobs - 1);
	if (use_dir)
		ck_assert_int_eq(files_in_blob_dir(), 2); /* B's copy of the same bytes stays */
	/* the knowledge base: its documents go, B's stay */
	ck_assert_int_eq(oyl_kb_delete(admin_a, kb_a), OYL_OK);
	ck_assert_int_eq(rows_of("documents"), 1);
	ck_assert_int_eq(rows_of("document_chunks"), 1);
	if (use_dir)
		ck_assert_int_eq(files_in_blob_dir(), 1);
	/* the tenant: everything of B */
	ck_assert_int_eq(oyl_tenant_delete(root, tenant_b), OYL_OK);
	ck_assert_int_eq(rows_of("documents"), 0);
	ck_assert_int_eq(rows_of("document_chunks"), 0);
	ck_assert_int_eq(rows_of("document_blobs"), 0);
	if (use_dir)
		ck_assert_int_eq(files_in_blob_dir(), 0);
	oyl_document_free(d1);
}
END_TEST

START_TEST(gc_removes_what_a_crash_left)
{
	if (!use_dir)
		return;
	/* a file written and never referenced (a crash before the commit), and
	 * a temporary one */
	char path[1024];
	snprintf(path, sizeof path, "mkdir -p %s/%s/ab && echo x > %s/%s/ab/%s && "
				    "echo y > %s/%s/ab/.tmp-1",
		 blob_dir, tenant_a, blob_dir, tenant_a,
		 "abababababababababababababababababababababababababababababababab", blob_dir,
		 tenant_a);
	ck_assert_int_eq(system(path), 0);
	oyl_doc_source s = memory("kept.txt", "kept words");
	ck_assert_int_eq(oyl_doc_ingest(admin_a, kb_a, &s, NULL, NULL), OYL_OK);
	ck_assert_int_eq(files_in_blob_dir(), 3);
	int64_t removed = -1;
	ck_assert_int_eq(oyl_gc(db, &removed), OYL_OK);
	ck_assert_int_eq(removed, 2);
	ck_assert_int_eq(files_in_blob_dir(), 1);
	/* what stays is read back */
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_doc_list(admin_a, kb_a, OYL_DOC_ANY, NULL, &p), OYL_OK);
	struct {
		char buf[512];
		size_t n;
	} got = {{0}, 0};
	ck_assert_int_eq(oyl_doc_read_original(admin_a, oyl_document_id(oyl_page_document(p, 0)),
					       collect, &got),
			 OYL_OK);
	ck_assert_uint_eq(got.n, 10);
	oyl_page_free(p);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	use_dir = argc > 2 && strcmp(argv[2], "dir") == 0;
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("documents");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ingest_keeps_every_column_text_chunks_and_original);
	tcase_add_test(tc, same_bytes_are_not_stored_twice);
	tcase_add_test(tc, a_large_original_comes_back_whole_in_pieces);
	tcase_add_test(tc, reprocess_swaps_the_chunk_set_whole);
	tcase_add_test(tc, sources_that_are_refused_store_nothing);
	tcase_add_test(tc, content_a_format_refuses_leaves_the_document_in_error);
	tcase_add_test(tc, a_cancel_leaves_the_document_in_error_cancelled_without_chunks);
	tcase_add_test(tc, upload_leaves_the_document_for_a_worker);
	tcase_add_test(tc, quotas_are_decided_in_the_transaction);
	tcase_add_test(tc, ingest_many_adds_each_source_in_order);
	tcase_add_test(tc, documents_follow_the_permission_matrix);
	tcase_add_test(tc, deletes_take_chunks_and_originals_and_nothing_else);
	tcase_add_test(tc, gc_removes_what_a_crash_left);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
