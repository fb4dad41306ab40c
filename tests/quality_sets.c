/* The retrieval quality sets (quality_sets.h). */
#include "quality_sets.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct buf {
	char *s;
	size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void add(qset *s, const char *name, const char *question, const char *text)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->items = realloc(s->items, s->cap * sizeof *s->items);
	}
	s->items[s->n++] = (qitem){strdup(name), strdup(question), strdup(text), 0, -1};
}

void qset_free(qset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].name);
		free(s->items[i].question);
		free(s->items[i].text);
	}
	free(s->items);
	memset(s, 0, sizeof *s);
}

static char *gunzip(const char *path)
{
	gzFile f = gzopen(path, "rb");
	if (!f)
		return NULL;
	buf b = {0};
	char chunk[16384];
	int n;
	while ((n = gzread(f, chunk, sizeof chunk)) > 0)
		put(&b, chunk, (size_t)n);
	gzclose(f);
	return b.s;
}

/* ---- roff, roughly ---- */

/* Appends line s[0..n) with its escapes resolved or dropped. */
static void unescape(buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			if (s[i] != '"')
				put(out, &s[i], 1);
			continue;
		}
		if (++i >= n)
			break;
		char c = s[i];
		if (c == '-' || c == 'e') {
			put(out, c == '-' ? "-" : "\\", 1);
		} else if (c == 'f') { /* font: \fB, \f(XX, \f[...] */
			if (i + 1 < n && s[i + 1] == '(')
				i += 3;
			else if (i + 1 < n && s[i + 1] == '[')
				while (i < n && s[i] != ']')
					i++;
			else
				i++;
		} else if (c == '(') { /* \(xx: a special character */
			const char *x = s + i + 1;
			if (i + 2 < n && (strncmp(x, "aq", 2) == 0 || strncmp(x, "cq", 2) == 0))
				put(out, "'", 1);
			else if (i + 2 < n && (strncmp(x, "em", 2) == 0 || strncmp(x, "en", 2) == 0))
				put(out, " - ", 3);
			else if (i + 2 < n && strncmp(x, "dq", 2) == 0)
				put(out, "\"", 1);
			i += 2;
		} else if (c == '[') {
			while (i < n && s[i] != ']')
				i++;
		} else if (c == '*') { /* a string: \*(xx or \*[...] or \*x */
			if (i + 1 < n && s[i + 1] == '(')
				i += 3;
			else if (i + 1 < n && s[i + 1] == '[')
				while (i < n && s[i] != ']')
					i++;
			else
				i++;
		} else if (c == ' ' || c == '~') {
			put(out, " ", 1);
		} else if (c == '"') { /* a comment to the end of the line */
			return;
		}
		/* \& \| \^ \c and the like: nothing */
	}
}

/* The text of a page: `name` gets the NAME section's text, `body` the rest. */
static void strip_roff(const char *src, buf *name, buf *body)
{
	int in_name = 0;
	for (const char *line = src; *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		if (n >= 2 && (line[0] == '.' || line[0] == '\'')) {
			const char *m = line + 1;
			size_t ml = strcspn(m, " \t\n");
			const char *args = m + ml;
			size_t an = n - 1 - ml;
			if (ml == 2 && strncmp(m, "SH", 2) == 0) {
				in_name = an > 1 && strstr(args, "NAME") && (size_t)(strstr(args, "NAME") - args) < an;
				if (!in_name) {
					put(body, "\n", 1);
					unescape(body, args, an);
					put(body, "\n", 1);
				}
			} else if (m[0] != '\\' && m[0] != '"' && an > 1 &&
				   (m[0] == 'B' || m[0] == 'I' || m[0] == 'R' || m[0] == 'S' ||
				    (ml == 2 && (strncmp(m, "IP", 2) == 0 || strncmp(m, "TP", 2) == 0)))) {
				buf *to = in_name ? name : body;
				unescape(to, args, an);
				put(to, "\n", 1);
			}
		} else if (n > 0) {
			buf *to = in_name ? name : body;
			unescape(to, line, n);
			put(to, "\n", 1);
		}
		line = end ? end + 1 : line + n;
	}
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of a directory's entries ending in `suffix`, sorted. */
static char **listing(const char *dir, const char *suffix, size_t *n)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	if (!d)
		return NULL;
	for (struct dirent *e; (e = readdir(d));) {
		if (!has_suffix(e->d_name, suffix))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			names = realloc(names, cap * sizeof *names);
		}
		names[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, *n, sizeof *names, by_name);
	return names;
}

int qset_add_man(qset *s, const char *dir)
{
	size_t n;
	/* .2.gz or .3.gz: the man-pages project's own (not .3ssl, .3pm ...) */
	char **names = listing(dir, ".gz", &n);
	int added = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		int ours = l > 5 && names[i][l - 5] == '.' &&
			   (names[i][l - 4] == '2' || names[i][l - 4] == '3');
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		char *src = ours ? gunzip(path) : NULL;
		if (src && strstr(src, "Linux man-pages") && strncmp(src, ".so ", 4) != 0) {
			buf name = {0}, body = {0};
			strip_roff(src, &name, &body);
			const char *dash = name.s ? strstr(name.s, " - ") : NULL;
			if (dash && body.n > 200) {
				char q[512];
				snprintf(q, sizeof q, "%s", dash + 3);
				for (char *c = q; *c; c++)
					if (*c == '\n')
						*c = ' ';
				/* the same description twice is no known item */
				int seen = 0;
				for (size_t k = 0; k < s->n && !seen; k++)
					seen = strcmp(s->items[k].question, q) == 0;
				if (!seen && strlen(q) > 3) {
					add(s, names[i], q, body.s);
					added++;
				}
			}
			free(name.s);
			free(body.s);
		}
		free(src);
		free(names[i]);
	}
	free(names);
	return added;
}

/* ---- the FAQ's reStructuredText ---- */

static int is_underline(const char *line, size_t n, size_t heading)
{
	if (n < 3 || n < heading)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (line[i] != line[0] || !strchr("=-~^\"*+#", line[0]))
			return 0;
	return 1;
}

/* The lines of dir/name without their newlines; NULL if unreadable. */
static char **read_lines(const char *dir, const char *name, size_t *n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	char **lines = NULL;
	size_t cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t got;
	*n = 0;
	while ((got = getline(&line, &lcap, fp)) >= 0) {
		if (got && line[got - 1] == '\n')
			line[--got] = '\0';
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			lines = realloc(lines, cap * sizeof *lines);
		}
		lines[(*n)++] = strdup(line);
	}
	free(line);
	fclose(fp);
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int qset_add_faq(qset *s, const char *dir)
{
	size_t n;
	char **names = listing(dir, ".rst.txt", &n);
	int added = 0;
	for (size_t f = 0; f < n; f++) {
		size_t nl;
		char **lines = read_lines(dir, names[f], &nl);
		if (!lines)
			continue;
		/* headings: a line followed by its underline */
		for (size_t i = 0; i + 1 < nl; i++) {
			size_t hl = strlen(lines[i]);
			if (hl < 4 || lines[i][hl - 1] != '?' ||
			    !is_underline(lines[i + 1], strlen(lines[i + 1]), hl))
				continue;
			buf answer = {0};
			size_t j = i + 2;
			for (; j < nl; j++) {
				if (j + 1 < nl && strlen(lines[j]) > 0 &&
				    is_underline(lines[j + 1], strlen(lines[j + 1]), strlen(lines[j])))
					break;
				put(&answer, lines[j], strlen(lines[j]));
				put(&answer, "\n", 1);
			}
			if (answer.n > 80) {
				char name[256];
				snprintf(name, sizeof name, "%s#%zu", names[f], i);
				add(s, name, lines[i], answer.s);
				added++;
			}
			free(answer.s);
			i = j - 1;
		}
		free_lines(lines, nl);
		free(names[f]);
	}
	free(names);
	return added;
}

/* ---- the library reference's sections ---- */

static long characters(const char *s, size_t n)
{
	long c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* A heading anyone might type as a question: three words or more, no
 * markup or code (roles, literals, dotted or underscored names). */
static int plain_heading(const char *h)
{
	int words = 1;
	for (const char *p = h; *p; p++) {
		words += *p == ' ';
		if (strchr(":`()_.*", *p))
			return 0;
	}
	return words >= 3;
}

int qset_add_sections(qset *s, const char *dir)
{
	size_t n;
	char **names = listing(dir, ".rst.txt", &n);
	size_t first = s->n;
	for (size_t f = 0; f < n; f++) {
		size_t nl;
		char **lines = read_lines(dir, names[f], &nl);
		buf text = {0};
		put(&text, "", 0);
		size_t mine = s->n;
		long open = -1; /* the item whose section runs */
		int title = 1;
		for (size_t i = 0; lines && i < nl; i++) {
			size_t len = strlen(lines[i]);
			if (is_underline(lines[i], len, 0))
				continue; /* an underline or an overline */
			if (i + 1 < nl && len && lines[i][0] != ' ' &&
			    is_underline(lines[i + 1], strlen(lines[i + 1]), len)) {
				long at = characters(text.s, text.n);
				if (open >= 0)
					s->items[open].end = at;
				open = -1;
				if (!title && plain_heading(lines[i])) {
					add(s, names[f], lines[i], "");
					s->items[s->n - 1].start = at;
					open = (long)s->n - 1;
				}
				title = 0;
				i++;
				continue;
			}
			put(&text, lines[i], len);
			put(&text, "\n", 1);
		}
		if (open >= 0)
			s->items[open].end = characters(text.s, text.n);
		for (size_t k = mine; k < s->n; k++) {
			free(s->items[k].text);
			s->items[k].text = strdup(text.s);
		}
		free(text.s);
		if (lines)
			free_lines(lines, nl);
		free(names[f]);
	}
	free(names);
	/* a heading met twice is no known passage, nor an empty section:
	 * marked over the whole list first, then dropped */
	size_t kept = first;
	char *drop = calloc(s->n - first + 1, 1);
	for (size_t i = first; i < s->n; i++) {
		drop[i - first] |= s->items[i].end - s->items[i].start < 40;
		for (size_t j = i + 1; j < s->n; j++)
			if (strcmp(s->items[i].question, s->items[j].question) == 0)
				drop[i - first] = drop[j - first] = 1;
	}
	for (size_t i = first; i < s->n; i++) {
		if (drop[i - first]) {
			free(s->items[i].name);
			free(s->items[i].question);
			free(s->items[i].text);
		} else {
			s->items[kept++] = s->items[i];
		}
	}
	free(drop);
	s->n = kept;
	return (int)(kept - first);
}
