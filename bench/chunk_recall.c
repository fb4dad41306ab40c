/*
 * oyl-chunk-recall: retrieval quality against chunk size, the figures
 * behind the chunking defaults (doc/ingestion.md).
 *
 * The corpus is text every Debian system has: the licences of
 * /usr/share/common-licenses and the plain-text documentation of
 * /usr/share/doc (*.txt and README*, gzipped or not).  Each file is
 * normalised as ingestion does (oyl__text).  Queries are sentences of the
 * corpus picked at random (a fixed seed), each asked as its four rarest
 * words: what someone who remembers a passage's distinctive terms types.
 * Every configuration chunks every file with oyl__chunk_text, ranks the
 * chunks with BM25 and counts where the chunk that holds the sentence
 * ranks.  Small chunks rank sharply but cut sentences and cost a prompt
 * little; large ones hold everything and cost a lot: the table says where
 * the balance is.
 *
 * Two variants test what the default measure favours: --passages spans
 * asks for windows of words that start anywhere (a sentence's end is
 * where the chunker likes to cut, so sentences flatter it, and overlap
 * most of all), and --terms random asks with any four of the passage's
 * words (rare words find a passage in chunks of any size).
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>
#include <zlib.h>

#include "ingest/chunk.h"
#include "ingest/text.h"
#include "oyl/oyl.h"

#define LICENSES_DIR "/usr/share/common-licenses"
#define DOC_DIR "/usr/share/doc"
/* Files are taken in path order while their package's total stays within
 * this: python3.11 alone has 11 MB of reStructuredText, and a corpus it
 * filled would measure one writing style. */
#define PACKAGE_CAP (192 * 1024)
#define TEXT_LIMIT (64u << 20)

#define DEFAULT_SEED 20240611u
#define DEFAULT_QUERIES 1000
#define SENTENCE_MIN_WORDS 10
#define SENTENCE_MAX_WORDS 40
#define SPAN_WORDS 25  /* --passages spans: windows of this many words */
#define SPAN_STRIDE 53 /* starting every this many words (prime: any place in a sentence) */
#define QUERY_TERMS 4
#define TOP 10
#define PROMPT_CHUNKS 5
#define BM25_K1 1.2
#define BM25_B 0.75

static const oyl__chunk_options configs[] = {
	{50, 10}, {100, 20}, {150, 30}, {200, 0}, {200, 40}, {300, 60}, {400, 80}, {800, 160},
};
#define NCONFIGS (sizeof configs / sizeof configs[0])

typedef struct run_opts {
	uint64_t seed;
	size_t queries;
	int spans;        /* passages are windows of words, not sentences */
	int random_terms; /* queries are random words of the passage, not its rarest */
} run_opts;

/* ---- small helpers ---- */

static void die(const char *what)
{
	fprintf(stderr, "oyl-chunk-recall: %s\n", what);
	exit(1);
}

/* p with room for `need` elements of `size` bytes (cap doubled). */
static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	p = realloc(p, c * size);
	if (!p)
		die("out of memory");
	*cap = c;
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		die("out of memory");
	return p;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3u;
	return h;
}
#define FNV_BASIS 0xcbf29ce484222325u

/* splitmix64: a fixed seed gives the same queries on every machine that
 * has the same corpus. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* ---- the file list ---- */

typedef struct strv {
	char **v;
	size_t n, cap;
} strv;

static void strv_push(strv *sv, char *s)
{
	sv->v = grow(sv->v, &sv->cap, sv->n + 1, sizeof *sv->v);
	sv->v[sv->n++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef int (*accept_fn)(const char *name);

static int accept_any(const char *name)
{
	(void)name;
	return 1;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* *.txt and README* (not README.html and the like), gzipped or not. */
static int accept_doc(const char *name)
{
	size_t n = strlen(name);
	if (ends_with(name, n, ".gz"))
		n -= 3;
	if (ends_with(name, n, ".txt"))
		return 1;
	if (strncmp(name, "README", 6) != 0 || (n > 6 && name[6] != '.'))
		return 0;
	return !ends_with(name, n, ".html") && !ends_with(name, n, ".htm") &&
	       !ends_with(name, n, ".pdf") && !ends_with(name, n, ".ps");
}

/* The regular files under dir that `ok` accepts.  Symbolic links are not
 * followed: a linked directory (python3.11-dev -> python3.11) is the same
 * text again. */
static void walk(const char *dir, accept_fn ok, strv *out)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size_t n = strlen(dir) + strlen(e->d_name) + 2;
		char *p = malloc(n);
		if (!p)
			die("out of memory");
		snprintf(p, n, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) != 0)
			st.st_mode = 0; /* gone since readdir: skipped */
		if (S_ISDIR(st.st_mode))
			walk(p, ok, out);
		else if (S_ISREG(st.st_mode) && ok(e->d_name)) {
			strv_push(out, p);
			p = NULL;
		}
		free(p);
	}
	closedir(dp);
}

/* The whole file, decompressed if it is gzip (gzread passes other files
 * through); NULL when unreadable. */
static char *read_file(const char *path, size_t *len)
{
	gzFile f = gzopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		buf = grow(buf, &cap, n + 65536, 1);
		int r = gzread(f, buf + n, 65536);
		if (r < 0) {
			free(buf);
			gzclose(f);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	gzclose(f);
	*len = n;
	return buf;
}

/* ---- the corpus ---- */

typedef struct token {
	uint32_t start, end; /* bytes of the file's text */
	int32_t term;
} token;

typedef struct doc {
	char *path;
	size_t bytes; /* as read (decompressed) */
	oyl__text text;
	token *tok;
	size_t ntok, captok;
} doc;

typedef struct term {
	uint32_t at;   /* offset of the word in vocab.chars */
	uint32_t df;   /* files it occurs in */
	int32_t last;  /* the last file counted in df */
} term;

typedef struct vocab {
	int32_t *slot; /* term id + 1, 0 when empty (open addressing) */
	size_t nslots;
	char *chars; /* the words, NUL-terminated one after the other */
	size_t nchars, capchars;
	term *t;
	size_t n, cap;
} vocab;

typedef struct passage { /* a sentence, or a span of words */
	int32_t doc;
	uint32_t start, end; /* bytes of the file's text */
	uint32_t tlo, thi;   /* its tokens: [tlo, thi) */
} passage;

typedef struct corpus {
	doc *d;
	size_t n, cap;
	size_t bytes, duplicates, binaries;
	uint64_t fingerprint;
	vocab v;
	char *word; /* the word being read, lowercased */
	size_t wn, wcap;
	uint64_t *seen; /* the contents of the files taken, hashed */
	size_t nseen, capseen;
	passage *cand; /* passages a query may come from */
	size_t ncand, capcand;
	uint64_t *hash; /* every passage's words, hashed: duplicates are not queries */
	size_t nhash, caphash;
} corpus;

static void vocab_rehash(vocab *v)
{
	size_t n = v->nslots ? v->nslots * 2 : 1u << 16;
	int32_t *slot = xcalloc(n, sizeof *slot);
	for (size_t i = 0; i < v->n; i++) {
		const char *w = v->chars + v->t[i].at;
		size_t h = (size_t)fnv1a(FNV_BASIS, w, strlen(w)) & (n - 1);
		while (slot[h])
			h = (h + 1) & (n - 1);
		slot[h] = (int32_t)i + 1;
	}
	free(v->slot);
	v->slot = slot;
	v->nslots = n;
}

static int32_t vocab_add(vocab *v, const char *w, size_t len)
{
	v->chars = grow(v->chars, &v->capchars, v->nchars + len + 1, 1);
	memcpy(v->chars + v->nchars, w, len);
	v->chars[v->nchars + len] = '\0';
	v->t = grow(v->t, &v->cap, v->n + 1, sizeof *v->t);
	v->t[v->n] = (term){(uint32_t)v->nchars, 0, -1};
	v->nchars += len + 1;
	return (int32_t)v->n++;
}

/* The id of word w, counting file `d` in its df. */
static int32_t vocab_intern(vocab *v, const char *w, size_t len, int32_t d)
{
	if ((v->n + 1) * 2 > v->nslots)
		vocab_rehash(v);
	size_t mask = v->nslots - 1, h = (size_t)fnv1a(FNV_BASIS, w, len) & mask;
	int32_t id = -1;
	for (; v->slot[h]; h = (h + 1) & mask) {
		const char *s = v->chars + v->t[v->slot[h] - 1].at;
		if (strncmp(s, w, len) == 0 && s[len] == '\0') {
			id = v->slot[h] - 1;
			break;
		}
	}
	if (id < 0) {
		id = vocab_add(v, w, len);
		v->slot[h] = id + 1;
	}
	if (v->t[id].last != d) {
		v->t[id].last = d;
		v->t[id].df++;
	}
	return id;
}

/* Words are runs of letters and numbers, lowercased: the same for
 * chunks and queries. */
static int is_word_cp(utf8proc_int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		       (cp >= '0' && cp <= '9');
	utf8proc_category_t c = utf8proc_category(cp);
	return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
	       (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* The code point at s[i] (U+FFFD, one byte, where invalid); its length. */
static size_t cp_at(const char *s, size_t n, size_t i, utf8proc_int32_t *cp)
{
	utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						(utf8proc_ssize_t)(n - i), cp);
	if (len < 1) {
		*cp = 0xfffd;
		return 1;
	}
	return (size_t)len;
}

/* Reads the word starting at s[i] into c->word; returns its end. */
static size_t read_word(corpus *c, const char *s, size_t n, size_t i)
{
	c->wn = 0;
	while (i < n) {
		utf8proc_int32_t cp;
		size_t len = cp_at(s, n, i, &cp);
		if (!is_word_cp(cp))
			break;
		c->word = grow(c->word, &c->wcap, c->wn + 4, 1);
		c->wn += (size_t)utf8proc_encode_char(utf8proc_tolower(cp),
						      (utf8proc_uint8_t *)c->word + c->wn);
		i += len;
	}
	return i;
}

static void tokenise(corpus *c, int32_t di)
{
	doc *d = &c->d[di];
	const char *s = oyl__text_str(&d->text);
	size_t n = d->text.n, i = 0;
	while (i < n) {
		utf8proc_int32_t cp;
		size_t len = cp_at(s, n, i, &cp);
		if (!is_word_cp(cp)) {
			i += len;
			continue;
		}
		size_t end = read_word(c, s, n, i);
		d->tok = grow(d->tok, &d->captok, d->ntok + 1, sizeof *d->tok);
		d->tok[d->ntok++] = (token){(uint32_t)i, (uint32_t)end,
					    vocab_intern(&c->v, c->word, c->wn, di)};
		i = end;
	}
}

/* The first token of d that starts at or after byte `at`. */
static uint32_t token_at(const doc *d, size_t at)
{
	size_t lo = 0, hi = d->ntok;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (d->tok[mid].start < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

static uint64_t words_hash(const doc *d, uint32_t tlo, uint32_t thi)
{
	uint64_t h = FNV_BASIS;
	for (uint32_t k = tlo; k < thi; k++)
		h = fnv1a(h, &d->tok[k].term, sizeof d->tok[k].term);
	return h;
}

/* Distinct words in tokens [tlo, thi). */
static size_t distinct_terms(const doc *d, uint32_t tlo, uint32_t thi)
{
	size_t n = 0;
	for (uint32_t k = tlo; k < thi; k++) {
		uint32_t j = tlo;
		while (j < k && d->tok[j].term != d->tok[k].term)
			j++;
		n += j == k;
	}
	return n;
}

static void add_passage(corpus *c, int32_t di, size_t start, size_t end)
{
	const doc *d = &c->d[di];
	passage s = {di, (uint32_t)start, (uint32_t)end, token_at(d, start), token_at(d, end)};
	uint32_t words = s.thi - s.tlo;
	if (words == 0)
		return;
	c->hash = grow(c->hash, &c->caphash, c->nhash + 1, sizeof *c->hash);
	c->hash[c->nhash++] = words_hash(d, s.tlo, s.thi);
	if (words < SENTENCE_MIN_WORDS || words > SENTENCE_MAX_WORDS ||
	    distinct_terms(d, s.tlo, s.thi) < QUERY_TERMS)
		return;
	c->cand = grow(c->cand, &c->capcand, c->ncand + 1, sizeof *c->cand);
	c->cand[c->ncand++] = s;
}

/* A blank line starts at the line end s[i]? */
static int blank_line(const char *s, size_t n, size_t i)
{
	if (s[i] != '\n')
		return 0;
	for (i++; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	return i < n && s[i] == '\n';
}

/* The end of a sentence whose . ! or ? is at s[i] (closing quotes and
 * brackets included), or 0: "1.5" and "e.g" do not end one. */
static size_t sentence_end(const char *s, size_t n, size_t i)
{
	if (s[i] != '.' && s[i] != '!' && s[i] != '?')
		return 0;
	size_t j = i + 1;
	while (j < n && s[j] && strchr("\"')]", s[j]))
		j++;
	return j == n || is_space((unsigned char)s[j]) ? j : 0;
}

/* Sentences run from a non-space to . ! or ?; a blank line before that
 * ends a stretch that is no sentence (a heading, a list, code). */
static void find_sentences(corpus *c, int32_t di)
{
	const char *s = oyl__text_str(&c->d[di].text);
	size_t n = c->d[di].text.n, i = 0;
	while (i < n) {
		while (i < n && is_space((unsigned char)s[i]))
			i++;
		size_t start = i, end = 0;
		for (; i < n && !blank_line(s, n, i); i++)
			if ((end = sentence_end(s, n, i)))
				break;
		if (end) {
			add_passage(c, di, start, end);
			i = end;
		}
	}
}

/* Passages of SPAN_WORDS words every SPAN_STRIDE words: they start and
 * end anywhere in a sentence. */
static void find_spans(corpus *c, int32_t di)
{
	const doc *d = &c->d[di];
	for (size_t t = 0; t + SPAN_WORDS <= d->ntok; t += SPAN_STRIDE)
		add_passage(c, di, d->tok[t].start, d->tok[t + SPAN_WORDS - 1].end);
}

/* Adds one file to the corpus unless it is binary, a copy, or empty
 * once normalised. */
static void add_file(corpus *c, char *path, const char *buf, size_t len)
{
	uint64_t h = fnv1a(FNV_BASIS, buf, len);
	for (size_t k = 0; k < c->nseen; k++)
		if (c->seen[k] == h) {
			c->duplicates++;
			free(path);
			return;
		}
	c->seen = grow(c->seen, &c->capseen, c->nseen + 1, sizeof *c->seen);
	c->seen[c->nseen++] = h;

	c->d = grow(c->d, &c->cap, c->n + 1, sizeof *c->d);
	doc *d = &c->d[c->n];
	memset(d, 0, sizeof *d);
	d->path = path;
	d->bytes = len;
	oyl__text_init(&d->text, TEXT_LIMIT);
	if (oyl__text_append(&d->text, buf, len) != OYL_OK || d->text.n == 0) {
		oyl__text_free(&d->text);
		free(path);
		return;
	}
	c->bytes += len;
	c->fingerprint = fnv1a(c->fingerprint, buf, len);
	c->n++;
}

/* The package of a path under root: its first component. */
static size_t package_len(const char *path, size_t rootlen)
{
	const char *p = path + rootlen + 1, *slash = strchr(p, '/');
	return slash ? (size_t)(slash - p) : strlen(p);
}

/* The files under root that `ok` accepts, in path order, while each
 * package stays within PACKAGE_CAP. */
static void add_tree(corpus *c, const char *root, accept_fn ok)
{
	strv paths = {0};
	walk(root, ok, &paths);
	qsort(paths.v, paths.n, sizeof *paths.v, cmp_str);
	size_t rootlen = strlen(root), pkg_bytes = 0;
	char pkg[256] = "";
	for (size_t i = 0; i < paths.n; i++) {
		char *p = paths.v[i];
		size_t n = package_len(p, rootlen);
		int plen = n < sizeof pkg ? (int)n : (int)sizeof pkg - 1;
		if (strncmp(p + rootlen + 1, pkg, (size_t)plen) != 0 || pkg[plen] != '\0') {
			snprintf(pkg, sizeof pkg, "%.*s", plen, p + rootlen + 1);
			pkg_bytes = 0;
		}
		size_t len;
		char *buf = read_file(p, &len);
		if (!buf || len == 0 || memchr(buf, 0, len)) {
			c->binaries += buf && len;
		} else if (pkg_bytes + len <= PACKAGE_CAP) {
			pkg_bytes += len;
			add_file(c, p, buf, len);
			p = NULL; /* the corpus's now */
		}
		free(buf);
		free(p);
	}
	free(paths.v);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void corpus_load(corpus *c, int spans)
{
	c->fingerprint = FNV_BASIS;
	add_tree(c, LICENSES_DIR, accept_any);
	add_tree(c, DOC_DIR, accept_doc);
	if (c->n == 0)
		die("no text under " LICENSES_DIR " or " DOC_DIR);
	for (size_t i = 0; i < c->n; i++) {
		tokenise(c, (int32_t)i);
		if (spans)
			find_spans(c, (int32_t)i);
		else
			find_sentences(c, (int32_t)i);
	}
	qsort(c->hash, c->nhash, sizeof *c->hash, cmp_u64);
}

static void corpus_free(corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->d[i].path);
		free(c->d[i].tok);
		oyl__text_free(&c->d[i].text);
	}
	free(c->d);
	free(c->v.slot);
	free(c->v.chars);
	free(c->v.t);
	free(c->word);
	free(c->seen);
	free(c->cand);
	free(c->hash);
}

/* How many passages of the corpus have the words of hash h. */
static size_t hash_count(const corpus *c, uint64_t h)
{
	size_t lo = 0, hi = c->nhash;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->hash[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	while (lo + n < c->nhash && c->hash[lo + n] == h)
		n++;
	return n;
}

/* ---- queries ---- */

typedef struct query {
	passage s;
	int32_t term[QUERY_TERMS];
} query;

static int chosen(const query *q, int n, int32_t t)
{
	for (int k = 0; k < n; k++)
		if (q->term[k] == t)
			return 1;
	return 0;
}

/* The passage's QUERY_TERMS rarest distinct words (in the fewest files;
 * the earlier of equals). */
static void pick_terms(const corpus *c, query *q)
{
	const doc *d = &c->d[q->s.doc];
	for (int n = 0; n < QUERY_TERMS; n++) {
		int32_t best = -1;
		for (uint32_t k = q->s.tlo; k < q->s.thi; k++) {
			int32_t t = d->tok[k].term;
			if (!chosen(q, n, t) && (best < 0 || c->v.t[t].df < c->v.t[best].df))
				best = t;
		}
		q->term[n] = best;
	}
}

/* QUERY_TERMS distinct words of the passage at random. */
static void pick_random_terms(const corpus *c, query *q, uint64_t *state)
{
	const doc *d = &c->d[q->s.doc];
	for (int n = 0; n < QUERY_TERMS;) {
		uint32_t k = q->s.tlo + (uint32_t)(rng_next(state) % (q->s.thi - q->s.tlo));
		if (!chosen(q, n, d->tok[k].term))
			q->term[n++] = d->tok[k].term;
	}
}

/* Queries from passages found once in the corpus: a sentence that is
 * also in another file (licence boilerplate in a README) has a second
 * right answer that the scoring would count as a miss. */
static query *make_queries(const corpus *c, const run_opts *o, size_t *nq, size_t *unique)
{
	size_t *idx = xcalloc(c->ncand, sizeof *idx), m = 0;
	for (size_t i = 0; i < c->ncand; i++) {
		const passage *s = &c->cand[i];
		if (hash_count(c, words_hash(&c->d[s->doc], s->tlo, s->thi)) == 1)
			idx[m++] = i;
	}
	*unique = m;
	size_t n = o->queries < m ? o->queries : m;
	query *q = xcalloc(n, sizeof *q);
	uint64_t state = o->seed;
	for (size_t k = 0; k < n; k++) { /* the first n of a Fisher-Yates shuffle */
		size_t j = k + (size_t)(rng_next(&state) % (m - k)), t = idx[k];
		idx[k] = idx[j];
		idx[j] = t;
		q[k].s = c->cand[idx[k]];
		if (o->random_terms)
			pick_random_terms(c, &q[k], &state);
		else
			pick_terms(c, &q[k]);
	}
	free(idx);
	*nq = n;
	return q;
}

/* ---- chunks and their index ---- */

typedef struct chunk_rec {
	int32_t doc;
	uint32_t start, end; /* bytes of the file's text */
	uint32_t tlo, thi;   /* its tokens */
	int64_t words, chars;
} chunk_rec;

typedef struct chunk_index {
	chunk_rec *c;
	size_t n, cap;
	size_t *first;  /* per file: its first chunk; first[nfiles] = n */
	uint32_t *off;  /* per term: its postings, [off[t], off[t + 1]) */
	uint32_t *pchunk, *ptf;
	double avgdl; /* tokens */
} chunk_index;

typedef struct chunk_ctx {
	chunk_index *ix;
	const doc *d;
	int32_t di;
} chunk_ctx;

static int on_chunk(const oyl__chunk *ch, void *payload)
{
	chunk_ctx *x = payload;
	chunk_index *ix = x->ix;
	ix->c = grow(ix->c, &ix->cap, ix->n + 1, sizeof *ix->c);
	ix->c[ix->n++] = (chunk_rec){x->di, (uint32_t)ch->start, (uint32_t)ch->end,
				     token_at(x->d, ch->start), token_at(x->d, ch->end), ch->tokens,
				     ch->end_char - ch->start_char};
	return 0;
}

static void chunk_corpus(const corpus *c, const oyl__chunk_options *o, chunk_index *ix)
{
	ix->first = xcalloc(c->n + 1, sizeof *ix->first);
	for (size_t d = 0; d < c->n; d++) {
		ix->first[d] = ix->n;
		chunk_ctx x = {ix, &c->d[d], (int32_t)d};
		if (oyl__chunk_text(&c->d[d].text, o, on_chunk, &x) != OYL_OK)
			die("oyl__chunk_text failed");
	}
	ix->first[c->n] = ix->n;
}

typedef struct posting {
	int32_t term;
	uint32_t chunk, tf;
} posting;

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* Appends chunk k's (term, tf) pairs to *p. */
static void chunk_postings(const corpus *c, const chunk_index *ix, uint32_t k, posting **p,
			   size_t *np, size_t *cap, int32_t **scratch, size_t *capsc)
{
	const chunk_rec *r = &ix->c[k];
	const doc *d = &c->d[r->doc];
	size_t len = r->thi - r->tlo;
	*scratch = grow(*scratch, capsc, len + 1, sizeof **scratch);
	for (size_t j = 0; j < len; j++)
		(*scratch)[j] = d->tok[r->tlo + j].term;
	qsort(*scratch, len, sizeof **scratch, cmp_i32);
	for (size_t j = 0, e; j < len; j = e) {
		for (e = j; e < len && (*scratch)[e] == (*scratch)[j]; e++)
			;
		*p = grow(*p, cap, *np + 1, sizeof **p);
		(*p)[(*np)++] = (posting){(*scratch)[j], k, (uint32_t)(e - j)};
	}
}

/* The inverted index: postings grouped by term, in chunk order. */
static void index_chunks(const corpus *c, chunk_index *ix)
{
	posting *p = NULL;
	int32_t *scratch = NULL;
	size_t np = 0, cap = 0, capsc = 0, tokens = 0;
	for (size_t k = 0; k < ix->n; k++) {
		chunk_postings(c, ix, (uint32_t)k, &p, &np, &cap, &scratch, &capsc);
		tokens += ix->c[k].thi - ix->c[k].tlo;
	}
	ix->avgdl = ix->n ? (double)tokens / (double)ix->n : 1;
	ix->off = xcalloc(c->v.n + 1, sizeof *ix->off);
	for (size_t k = 0; k < np; k++)
		ix->off[p[k].term + 1]++;
	for (size_t t = 0; t < c->v.n; t++)
		ix->off[t + 1] += ix->off[t];
	uint32_t *at = xcalloc(c->v.n, sizeof *at);
	memcpy(at, ix->off, c->v.n * sizeof *at);
	ix->pchunk = xcalloc(np, sizeof *ix->pchunk);
	ix->ptf = xcalloc(np, sizeof *ix->ptf);
	for (size_t k = 0; k < np; k++) {
		uint32_t slot = at[p[k].term]++;
		ix->pchunk[slot] = p[k].chunk;
		ix->ptf[slot] = p[k].tf;
	}
	free(at);
	free(p);
	free(scratch);
}

static void index_free(chunk_index *ix)
{
	free(ix->c);
	free(ix->first);
	free(ix->off);
	free(ix->pchunk);
	free(ix->ptf);
}

/* ---- BM25 ---- */

typedef struct scorer {
	double *score; /* per chunk, 0 when untouched */
	uint32_t *touched;
	size_t nt;
} scorer;

/* The idf that stays positive for words in over half the chunks. */
static double bm25_idf(size_t nchunks, size_t n)
{
	return log(1.0 + ((double)nchunks - (double)n + 0.5) / ((double)n + 0.5));
}

static void accumulate(const chunk_index *ix, int32_t t, scorer *sc)
{
	uint32_t lo = ix->off[t], hi = ix->off[t + 1];
	double idf = bm25_idf(ix->n, hi - lo);
	for (uint32_t k = lo; k < hi; k++) {
		uint32_t ch = ix->pchunk[k];
		double tf = ix->ptf[k], dl = ix->c[ch].thi - ix->c[ch].tlo;
		double norm = BM25_K1 * (1 - BM25_B + BM25_B * dl / ix->avgdl);
		if (sc->score[ch] == 0)
			sc->touched[sc->nt++] = ch;
		sc->score[ch] += idf * tf * (BM25_K1 + 1) / (tf + norm);
	}
}

/* Ranks first: the higher score, the earlier chunk of equals (so the
 * order is the same on every run). */
static int ranks_above(const double *score, uint32_t a, uint32_t b)
{
	return score[a] > score[b] || (score[a] == score[b] && a < b);
}

static size_t top_insert(uint32_t *top, size_t n, const double *score, uint32_t ch)
{
	if (n == TOP && !ranks_above(score, ch, top[TOP - 1]))
		return n;
	size_t j = n < TOP ? n++ : TOP - 1;
	for (; j > 0 && ranks_above(score, ch, top[j - 1]); j--)
		top[j] = top[j - 1];
	top[j] = ch;
	return n;
}

/* The TOP best chunks for q, best first; how many there are. */
static size_t search(const chunk_index *ix, const query *q, scorer *sc, uint32_t *top)
{
	sc->nt = 0;
	for (int k = 0; k < QUERY_TERMS; k++)
		accumulate(ix, q->term[k], sc);
	size_t n = 0;
	for (size_t i = 0; i < sc->nt; i++)
		n = top_insert(top, n, sc->score, sc->touched[i]);
	for (size_t i = 0; i < sc->nt; i++)
		sc->score[sc->touched[i]] = 0;
	return n;
}

/* ---- scoring a configuration ---- */

typedef struct tally {
	double r1, r5, mrr;
} tally;

typedef struct result {
	size_t chunks, coverable;
	double words, chars;
	tally whole, half;
} result;

/* Counts the first hit's rank (1-based; 0: none in the top TOP). */
static void tally_rank(tally *t, size_t rank)
{
	if (!rank)
		return;
	t->r1 += rank == 1;
	t->r5 += rank <= PROMPT_CHUNKS;
	t->mrr += 1.0 / (double)rank;
}

static int holds_whole(const chunk_rec *r, const passage *s)
{
	return r->doc == s->doc && r->start <= s->start && r->end >= s->end;
}

static int holds_half(const chunk_rec *r, const passage *s)
{
	uint32_t lo = r->tlo > s->tlo ? r->tlo : s->tlo, hi = r->thi < s->thi ? r->thi : s->thi;
	return r->doc == s->doc && hi > lo && 2 * (hi - lo) >= s->thi - s->tlo;
}

/* Is the passage whole in some chunk of its file?  Recall of whole
 * passages cannot exceed the share of those. */
static int coverable(const chunk_index *ix, const passage *s)
{
	for (size_t k = ix->first[s->doc]; k < ix->first[s->doc + 1]; k++)
		if (holds_whole(&ix->c[k], s))
			return 1;
	return 0;
}

static void score_queries(const chunk_index *ix, const query *q, size_t nq, result *res)
{
	scorer sc = {xcalloc(ix->n, sizeof *sc.score), xcalloc(ix->n, sizeof *sc.touched), 0};
	uint32_t top[TOP];
	for (size_t i = 0; i < nq; i++) {
		size_t n = search(ix, &q[i], &sc, top), whole = 0, half = 0;
		for (size_t r = 0; r < n; r++) {
			if (!whole && holds_whole(&ix->c[top[r]], &q[i].s))
				whole = r + 1;
			if (!half && holds_half(&ix->c[top[r]], &q[i].s))
				half = r + 1;
		}
		tally_rank(&res->whole, whole);
		tally_rank(&res->half, half);
		res->coverable += (size_t)coverable(ix, &q[i].s);
	}
	free(sc.score);
	free(sc.touched);
}

static void run_config(const corpus *c, const query *q, size_t nq, const oyl__chunk_options *o,
		       result *res)
{
	chunk_index ix = {0};
	chunk_corpus(c, o, &ix);
	index_chunks(c, &ix);
	memset(res, 0, sizeof *res);
	res->chunks = ix.n;
	for (size_t k = 0; k < ix.n; k++) {
		res->words += (double)ix.c[k].words;
		res->chars += (double)ix.c[k].chars;
	}
	res->words /= (double)ix.n;
	res->chars /= (double)ix.n;
	score_queries(&ix, q, nq, res);
	index_free(&ix);
}

/* ---- output ---- */

static void print_corpus(const corpus *c)
{
	printf("## Corpus\n\n");
	for (size_t i = 0; i < c->n; i++)
		printf("    %8zu  %s\n", c->d[i].bytes, c->d[i].path);
	size_t words = 0;
	for (size_t i = 0; i < c->n; i++)
		words += c->d[i].ntok;
	printf("\n%zu files, %zu bytes (%.2f MB) as read, %zu words; fingerprint %016llx\n",
	       c->n, c->bytes, (double)c->bytes / 1e6, words, (unsigned long long)c->fingerprint);
	printf("(left out: %zu copies of a file already taken, %zu binary files; at most %d KiB "
	       "a package)\n\n", c->duplicates, c->binaries, PACKAGE_CAP / 1024);
}

static void print_query(const corpus *c, const query *q)
{
	const doc *d = &c->d[q->s.doc];
	printf("- `");
	for (int k = 0; k < QUERY_TERMS; k++)
		printf("%s%s", k ? " " : "", c->v.chars + c->v.t[q->term[k]].at);
	printf("` → %s: \"", d->path);
	for (uint32_t i = q->s.start; i < q->s.end; i++) /* on one line */
		putchar(is_space((unsigned char)d->text.s[i]) ? ' ' : d->text.s[i]);
	printf("\"\n");
}

static void print_queries(const corpus *c, const query *q, size_t nq, size_t unique,
			  const run_opts *o)
{
	printf("## Queries\n\n");
	if (o->spans)
		printf("%zu spans of %d words, one every %d words", c->ncand, SPAN_WORDS,
		       SPAN_STRIDE);
	else
		printf("%zu sentences of %d-%d words", c->ncand, SENTENCE_MIN_WORDS,
		       SENTENCE_MAX_WORDS);
	printf(", %zu of them found once in the corpus; %zu picked (seed %llu), each asked as %d "
	       "of its words, %s.  For example:\n\n",
	       unique, nq, (unsigned long long)o->seed, QUERY_TERMS,
	       o->random_terms ? "at random" : "the rarest (in the fewest files)");
	for (size_t i = 0; i < nq && i < 3; i++)
		print_query(c, &q[i]);
	printf("\n");
}

static void print_header(void)
{
	printf("## Results\n\n"
	       "BM25 (k1 %.1f, b %.2f) over the chunks.  A hit is a chunk that holds the whole "
	       "passage; (½): one that holds at least half its words.  \"Whole in a chunk\": the "
	       "share of passages some chunk holds whole, the ceiling of whole-passage recall.  "
	       "Context: the words of a prompt of the top %d chunks.\n\n",
	       BM25_K1, BM25_B, PROMPT_CHUNKS);
	printf("| target/overlap | chunks | words/chunk | chars/chunk | context (words) | "
	       "whole in a chunk | R@1 | R@5 | MRR@10 | R@5 per 1k context words | "
	       "R@1 (½) | R@5 (½) | MRR@10 (½) |\n");
	printf("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
}

static void print_row(const oyl__chunk_options *o, const result *r, size_t nq)
{
	double n = (double)nq, context = PROMPT_CHUNKS * r->words;
	printf("| %lld/%lld | %zu | %.0f | %.0f | %.0f | %.3f | %.3f | %.3f | %.3f | %.3f | "
	       "%.3f | %.3f | %.3f |\n",
	       (long long)o->target_tokens, (long long)o->overlap_tokens, r->chunks, r->words,
	       r->chars, context, (double)r->coverable / n, r->whole.r1 / n, r->whole.r5 / n,
	       r->whole.mrr / n, r->whole.r5 / n / context * 1000, r->half.r1 / n,
	       r->half.r5 / n, r->half.mrr / n);
	fflush(stdout);
}

/* ---- main ---- */

/* 0 when s is a, 1 when it is b, -1 otherwise. */
static int which(const char *s, const char *a, const char *b)
{
	return strcmp(s, a) == 0 ? 0 : strcmp(s, b) == 0 ? 1 : -1;
}

static int parse_args(int argc, char **argv, run_opts *o)
{
	if (argc % 2 == 0)
		return -1;
	for (int i = 1; i < argc; i += 2) {
		const char *arg = argv[i], *val = argv[i + 1];
		char *end = NULL;
		int w = 0;
		if (strcmp(arg, "--seed") == 0)
			o->seed = strtoull(val, &end, 10);
		else if (strcmp(arg, "--queries") == 0)
			o->queries = (size_t)strtoull(val, &end, 10);
		else if (strcmp(arg, "--passages") == 0)
			w = o->spans = which(val, "sentences", "spans");
		else if (strcmp(arg, "--terms") == 0)
			w = o->random_terms = which(val, "rarest", "random");
		else
			return -1;
		if (!*val || (end && *end) || w < 0)
			return -1;
	}
	return o->queries > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	run_opts o = {DEFAULT_SEED, DEFAULT_QUERIES, 0, 0};
	if (parse_args(argc, argv, &o)) {
		fprintf(stderr, "usage: oyl-chunk-recall [--seed N] [--queries N] "
				"[--passages sentences|spans] [--terms rarest|random]\n");
		return 2;
	}
	corpus c = {0};
	corpus_load(&c, o.spans);
	size_t nq, unique;
	query *q = make_queries(&c, &o, &nq, &unique);
	if (nq == 0)
		die("no passage to ask about");
	print_corpus(&c);
	print_queries(&c, q, nq, unique, &o);
	print_header();
	for (size_t k = 0; k < NCONFIGS; k++) {
		result r;
		run_config(&c, q, nq, &configs[k], &r);
		print_row(&configs[k], &r, nq);
	}
	free(q);
	corpus_free(&c);
	return 0;
}
