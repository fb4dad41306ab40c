/*
 * The directory blob store (blob.h): <dir>/<tenant>/<aa>/<sha256>, where
 * <aa> is the digest's first two hex digits (a few hundred files per
 * folder at most for a tenant of 100,000 documents).
 *
 * Safety rests on one lock file per tenant, <dir>/<tenant>/.lock, taken
 * with flock(): a writer holds it shared from before it writes the file
 * until its transaction has ended, and whoever removes files (a release
 * after a commit, oyl_gc) holds it exclusive while it checks that no
 * document references a file and removes it.  So a file is never removed
 * between the moment a writer relies on it and the moment its reference
 * is committed, and a crash leaves at worst an unreferenced file (or a
 * temporary one) for oyl_gc.  Hosts that share the directory over NFS
 * get the same locks (Linux maps flock to NFS byte-range locks).
 */
#include "blobs/blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "records/record.h"
#include "records/schema.h"

#define PATH_MAX_LEN 4096

typedef struct dir_store {
	oyl__blob_store base;
	char *root;
} dir_store;

/* A path of its parts; 0, or -1 when it would not fit (never cut). */
static int path_of(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int path_of(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int os_fail(oyl_db *db, const char *doing, const char *path)
{
	return oyl__fail(db, OYL_ESTORAGE, "blob directory: %s %s: %s", doing, path,
			 strerror(errno));
}

static int make_dir(const char *path)
{
	return (mkdir(path, 0700) == 0 || errno == EEXIST) ? 0 : -1;
}

/* Opens the tenant's folder and lock file, and takes the lock. */
static int lock_tenant(dir_store *d, oyl_db *db, const char *tenant, int how, int create)
{
	char path[PATH_MAX_LEN];
	path_of(path, sizeof path, "%s/%s", d->root, tenant);
	if (create && make_dir(path))
		return os_fail(db, "creating", path), -1;
	path_of(path, sizeof path, "%s/%s/.lock", d->root, tenant);
	int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0) {
		if (!create && errno == ENOENT)
			return -2; /* no folder: nothing to lock, nothing to remove */
		return os_fail(db, "opening", path), -1;
	}
	while (flock(fd, how) != 0) {
		if (errno != EINTR) {
			os_fail(db, "locking", path);
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static int write_all(int fd, const unsigned char *data, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, data, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		n -= (size_t)w;
	}
	return 0;
}

static int dir_stage(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *sha256,
		 const unsigned char *data, size_t n, oyl__blob_stage *out)
{
	dir_store *d = (dir_store *)s;
	char ref[128], final[PATH_MAX_LEN], tmp[PATH_MAX_LEN], sub[PATH_MAX_LEN];
	out->ref = NULL;
	out->lock_fd = lock_tenant(d, db, tenant, LOCK_SH, 1);
	if (out->lock_fd < 0)
		return OYL_ESTORAGE;
	path_of(ref, sizeof ref, "%s/%.2s/%s", tenant, sha256, sha256);
	path_of(sub, sizeof sub, "%s/%s/%.2s", d->root, tenant, sha256);
	path_of(final, sizeof final, "%s/%s", d->root, ref);
	int rc = OYL_OK;
	struct stat st;
	if (make_dir(sub)) {
		rc = os_fail(db, "creating", sub);
	} else if (stat(final, &st) == 0 && (size_t)st.st_size == n) {
		/* content-addressed: the same bytes are there already */
	} else {
		char id[OYL_UUID_LEN + 1];
		oyl__uuid_new(id);
		path_of(tmp, sizeof tmp, "%s/.tmp-%s", sub, id);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = os_fail(db, "creating", tmp);
		} else {
			if (write_all(fd, data, n) || fsync(fd))
				rc = os_fail(db, "writing", tmp);
			if (close(fd) && rc == OYL_OK)
				rc = os_fail(db, "closing", tmp);
			if (rc == OYL_OK && rename(tmp, final))
				rc = os_fail(db, "renaming", tmp);
			if (rc == OYL_OK && fsync_path(sub))
				rc = os_fail(db, "syncing", sub);
			if (rc != OYL_OK)
				unlink(tmp);
		}
	}
	if (rc == OYL_OK && !(out->ref = oyl__strdup(ref)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory storing a document");
	if (rc != OYL_OK) {
		close(out->lock_fd);
		out->lock_fd = -1;
	}
	return rc;
}

static int dir_write_nothing(oyl__blob_store *s, oyl_db *db, const char *tenant,
			 const char *document_id, const unsigned char *data, size_t n)
{
	(void)s, (void)db, (void)tenant, (void)document_id, (void)data, (void)n;
	return OYL_OK; /* the file was written by stage() */
}

static void dir_unstage(oyl__blob_store *s, oyl__blob_stage *st)
{
	(void)s;
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* releases the shared lock */
	st->lock_fd = -1;
	oyl__free(st->ref);
	st->ref = NULL;
}

/* A ref is "<uuid>/<aa>/<64 hex>": never anything that leaves the root. */
static int valid_ref(const char *ref)
{
	size_t n = strlen(ref);
	if (n != 36 + 1 + 2 + 1 + 64 || ref[36] != '/' || ref[39] != '/')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(ref[i] == '-' || ref[i] == '/' || (ref[i] >= '0' && ref[i] <= '9') ||
		      (ref[i] >= 'a' && ref[i] <= 'f')))
			return 0;
	return 1;
}

static int dir_read(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *document_id,
		const char *ref, oyl__blob_sink sink, void *ctx)
{
	dir_store *d = (dir_store *)s;
	(void)tenant;
	if (!ref || !valid_ref(ref))
		return oyl__fail(db, OYL_ENOTFOUND, "document %s has no stored original", document_id);
	char path[PATH_MAX_LEN];
	path_of(path, sizeof path, "%s/%s", d->root, ref);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return os_fail(db, "opening", path);
	unsigned char *buf = oyl__malloc(OYL__BLOB_PIECE);
	int rc = buf ? OYL_OK : oyl__fail(db, OYL_ENOMEM, "out of memory reading a document");
	while (rc == OYL_OK) {
		ssize_t got = read(fd, buf, OYL__BLOB_PIECE);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = os_fail(db, "reading", path);
		else if (got == 0)
			break;
		else
			rc = sink(buf, (size_t)got, ctx);
	}
	oyl__free(buf);
	close(fd);
	return rc;
}

/* Documents of the tenant whose original is `ref`, in a transaction of
 * its own; -1 on failure. */
static int64_t references(oyl_db *db, const char *tenant, const char *ref)
{
	if (oyl__txn_begin(db, NULL, tenant, OYL_TXN_READ))
		return -1;
	oyl_scope scope = {tenant};
	oyl_filter f = {DOCUMENTS_file_path, OYL_OP_EQ, oyl__val_text(OYL_TYPE_TEXT, ref)};
	int64_t n = -1;
	int rc = db->backend->count(db->backend, &scope, &oyl__t_documents_meta, &f, 1, &n);
	if (rc)
		oyl__fail_backend(db, rc, "counting a file's references");
	oyl__txn_end(db, rc);
	return rc ? -1 : n;
}

/* Removes the file of `ref` unless a document references it; the
 * tenant's lock is held exclusive. */
static int remove_if_unreferenced(dir_store *d, oyl_db *db, const char *tenant, const char *ref,
				  int64_t *removed)
{
	int64_t refs = references(db, tenant, ref);
	if (refs < 0)
		return db->errcode ? db->errcode : OYL_ESTORAGE;
	if (refs > 0)
		return OYL_OK;
	char path[PATH_MAX_LEN];
	path_of(path, sizeof path, "%s/%s", d->root, ref);
	if (unlink(path) == 0)
		(*removed)++;
	else if (errno != ENOENT)
		return os_fail(db, "removing", path);
	return OYL_OK;
}

/* Removes every file of a tenant folder that is unreferenced (or all,
 * when the tenant is gone: none is referenced then), with its temporary
 * files; the tenant's lock is held exclusive, so no writer is between
 * its file and its commit. */
static int sweep_tenant(dir_store *d, oyl_db *db, const char *tenant, int64_t *removed)
{
	char path[PATH_MAX_LEN];
	path_of(path, sizeof path, "%s/%s", d->root, tenant);
	DIR *top = opendir(path);
	if (!top)
		return errno == ENOENT ? OYL_OK : os_fail(db, "listing", path);
	int rc = OYL_OK;
	struct dirent *sub;
	while (rc == OYL_OK && (sub = readdir(top))) {
		if (strlen(sub->d_name) != 2 || sub->d_name[0] == '.')
			continue;
		char subpath[PATH_MAX_LEN];
		path_of(subpath, sizeof subpath, "%s/%s", path, sub->d_name);
		DIR *dh = opendir(subpath);
		if (!dh)
			continue;
		struct dirent *e;
		while (rc == OYL_OK && (e = readdir(dh))) {
			char ref[128], file[PATH_MAX_LEN];
			if (strncmp(e->d_name, ".tmp-", 5) == 0) {
				path_of(file, sizeof file, "%s/%s", subpath, e->d_name);
				if (unlink(file) == 0)
					(*removed)++;
				continue;
			}
			if (e->d_name[0] == '.')
				continue;
			if (path_of(ref, sizeof ref, "%s/%s/%s", tenant, sub->d_name, e->d_name))
				continue;
			if (valid_ref(ref))
				rc = remove_if_unreferenced(d, db, tenant, ref, removed);
		}
		closedir(dh);
		rmdir(subpath); /* only when empty */
	}
	closedir(top);
	return rc;
}

static int dir_release(oyl__blob_store *s, oyl_db *db, const char *tenant, const char *ref)
{
	dir_store *d = (dir_store *)s;
	int fd = lock_tenant(d, db, tenant, LOCK_EX, 0);
	if (fd == -2)
		return OYL_OK;
	if (fd < 0)
		return OYL_ESTORAGE;
	int64_t removed = 0;
	int rc = ref ? (valid_ref(ref) ? remove_if_unreferenced(d, db, tenant, ref, &removed)
				       : OYL_OK)
		     : sweep_tenant(d, db, tenant, &removed);
	close(fd);
	return rc;
}

static int is_uuid_name(const char *s)
{
	return oyl__uuid_norm(s, NULL) && strlen(s) == OYL_UUID_LEN;
}

static int dir_gc(oyl__blob_store *s, oyl_db *db, int64_t *removed)
{
	dir_store *d = (dir_store *)s;
	*removed = 0;
	DIR *root = opendir(d->root);
	if (!root)
		return os_fail(db, "listing", d->root);
	int rc = OYL_OK;
	struct dirent *e;
	while (rc == OYL_OK && (e = readdir(root))) {
		if (!is_uuid_name(e->d_name))
			continue;
		int fd = lock_tenant(d, db, e->d_name, LOCK_EX, 0);
		if (fd == -2)
			continue;
		if (fd < 0) {
			rc = OYL_ESTORAGE;
			break;
		}
		rc = sweep_tenant(d, db, e->d_name, removed);
		close(fd);
	}
	closedir(root);
	return rc;
}

static void store_free(oyl__blob_store *s)
{
	dir_store *d = (dir_store *)s;
	oyl__free(d->root);
	oyl__free(d);
}

int oyl__blob_store_directory(const char *dir, oyl__blob_store **out, char *err, size_t errlen)
{
	struct stat st;
	if (!dir || !*dir || strlen(dir) > PATH_MAX_LEN - 200) {
		snprintf(err, errlen, "blob_dir: a directory path of at most %d bytes",
			 PATH_MAX_LEN - 200);
		return OYL_EINVAL;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "blob_dir %s: not a writable directory", dir);
		return OYL_EINVAL;
	}
	dir_store *d = oyl__calloc(1, sizeof *d);
	if (!d || !(d->root = oyl__strdup(dir))) {
		oyl__free(d);
		snprintf(err, errlen, "out of memory");
		return OYL_ENOMEM;
	}
	d->base = (oyl__blob_store){"directory", dir_stage,	  dir_write_nothing, dir_unstage,
				    dir_read,	 dir_release, dir_gc,		 store_free};
	*out = &d->base;
	return OYL_OK;
}
