/* Reading a document's source (source.h). */
#include "ingest/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "identity/secret.h"
#include "ingest/extract.h"
#include "util/utf8.h"

void oyl__source_free(oyl__source *s)
{
	if (!s->borrowed)
		oyl__free(s->data);
	oyl__free(s->original_name);
	oyl__free(s->filename);
	memset(s, 0, sizeof *s);
}

/* Reads a regular file whole; refuses anything else before reading it. */
static int read_path(oyl_db *db, const char *path, int64_t max, oyl__source *out)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return oyl__fail(db, OYL_EINVAL, "source.path: cannot open %s: %s", path,
				 strerror(errno));
	struct stat st;
	int rc = OYL_OK;
	if (fstat(fd, &st) != 0)
		rc = oyl__fail(db, OYL_EINVAL, "source.path: %s: %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		rc = oyl__fail(db, OYL_EINVAL, "source.path: %s is a directory", path);
	else if (!S_ISREG(st.st_mode))
		rc = oyl__fail(db, OYL_EINVAL, "source.path: %s is not a regular file", path);
	else if (st.st_size > max)
		rc = oyl__fail(db, OYL_EINVAL,
			       "source: %s is %lld bytes, larger than the limit of %lld", path,
			       (long long)st.st_size, (long long)max);
	if (rc == OYL_OK) {
		size_t n = (size_t)st.st_size;
		out->data = oyl__malloc(n ? n : 1);
		if (!out->data)
			rc = oyl__fail(db, OYL_ENOMEM, "out of memory reading %s", path);
		size_t got = 0;
		while (rc == OYL_OK && got < n) {
			ssize_t r = read(fd, out->data + got, n - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				rc = oyl__fail(db, OYL_EINVAL, "source.path: reading %s: %s", path,
					       strerror(errno));
			else if (r == 0)
				break; /* shrank meanwhile: take what is there */
			else
				got += (size_t)r;
		}
		out->n = got;
	}
	close(fd);
	return rc;
}

/* The stored name: the base name, with what a file system or a shell
 * would trip on replaced by '_', at most 255 bytes of whole characters. */
static char *safe_filename(const char *name)
{
	const char *base = name;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		base = "document";
	size_t n = strlen(base);
	while (n > OYL__FILENAME_MAX_BYTES)
		do
			n--;
		while (n > 0 && ((unsigned char)base[n] & 0xc0) == 0x80);
	char *f = oyl__strndup(base, n);
	for (size_t i = 0; f && i < n; i++)
		if ((unsigned char)f[i] < 0x20 || f[i] == 0x7f)
			f[i] = '_';
	return f;
}

static const char *known_mime(const char *given, char *buf, size_t size)
{
	/* "text/plain; charset=utf-8" names text/plain; case does not matter */
	size_t n = strcspn(given, "; \t");
	if (n >= size)
		return NULL;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(given[i] >= 'A' && given[i] <= 'Z' ? given[i] + 32 : given[i]);
	buf[n] = '\0';
	return buf;
}

int oyl__source_read(oyl_db *db, const oyl_doc_source *src, int64_t max, oyl__source *out)
{
	memset(out, 0, sizeof *out);
	if (!src)
		return oyl__fail(db, OYL_EMISUSE, "source: NULL");
	if (src->size < sizeof(uint32_t) || src->size > 4096)
		return oyl__fail(db, OYL_EINVAL, "source: size not set (use OYL_DOC_SOURCE_INIT)");
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	memcpy(&s, src, src->size < sizeof s ? src->size : sizeof s);
	if (!!s.path == !!s.data)
		return oyl__fail(db, OYL_EINVAL, "source: give a path or data, one of the two");
	const char *name = s.name;
	if (!name && s.path) {
		const char *slash = strrchr(s.path, '/');
		name = slash ? slash + 1 : s.path;
	}
	if (!name)
		return oyl__fail(db, OYL_EINVAL, "source.name: required with data");
	size_t nlen = strlen(name);
	if (nlen == 0 || nlen > OYL__NAME_MAX_BYTES || !oyl__utf8_valid(name, nlen))
		return oyl__fail(db, OYL_EINVAL, "source.name: 1 to %d bytes of UTF-8",
				 OYL__NAME_MAX_BYTES);
	int rc;
	if (s.path) {
		if ((rc = read_path(db, s.path, max, out))) {
			oyl__source_free(out);
			return rc;
		}
	} else {
		if ((int64_t)s.length > max)
			return oyl__fail(db, OYL_EINVAL,
					 "source: %zu bytes, larger than the limit of %lld",
					 s.length, (long long)max);
		out->data = (unsigned char *)s.data;
		out->n = s.length;
		out->borrowed = 1;
	}
	if (out->n == 0) {
		oyl__source_free(out);
		return oyl__fail(db, OYL_EINVAL, "source: %s is empty", name);
	}
	char buf[128];
	const char *mime = s.mime_type ? known_mime(s.mime_type, buf, sizeof buf)
				       : oyl__sniff_mime(out->data, out->n, name);
	if (mime && !oyl__extractor_for(mime) && !oyl__extractor_missing(mime))
		mime = NULL;
	if (!mime) {
		oyl__source_free(out);
		return s.mime_type ? oyl__fail(db, OYL_EINVAL,
					       "source.mime_type: \"%.64s\" is not a supported type",
					       s.mime_type)
				   : oyl__fail(db, OYL_EINVAL,
					       "source: the type of %s is not one liboyl reads (set "
					       "mime_type if it is)",
					       name);
	}
	const char *missing = oyl__extractor_missing(mime);
	if (missing) {
		oyl__source_free(out);
		return oyl__fail(db, OYL_ENOTSUP, "%s: this build of liboyl has no %s", mime,
				 missing);
	}
	/* the static name of the type, not the caller's buffer */
	out->mime = oyl__extractor_for(mime)->mime_types[0];
	for (const char *const *m = oyl__extractor_for(mime)->mime_types; *m; m++)
		if (strcmp(*m, mime) == 0)
			out->mime = *m;
	out->original_name = oyl__strdup(name);
	out->filename = safe_filename(name);
	if (!out->original_name || !out->filename || oyl__sha256_hex(out->data, out->n, out->sha256)) {
		oyl__source_free(out);
		return oyl__fail(db, OYL_ENOMEM, "out of memory reading the source");
	}
	return OYL_OK;
}
