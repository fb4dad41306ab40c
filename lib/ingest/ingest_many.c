/*
 * oyl_doc_ingest_many: many sources into one knowledge base, each added
 * as oyl_doc_ingest adds it (its own transactions, its own outcome), with
 * the next source's work done while the server commits the one before:
 *
 *   store r  the source made ready before: its transaction, with the
 *            read of a document of source i's bytes in its read batch
 *            (the pre-read oyl_doc_ingest makes apart), COMMIT sent
 *   work i   source i extracted, chunked, indexed: no storage touched
 *   end r    COMMIT's answer read; r told to the host; i is ready
 *
 * The first source has a pre-read of its own, as does one whose
 * same-bytes read did not run (its ready one failed before its reads).
 *
 * On a backend without commit_start the store waits for its commit, and
 * the order is the same with nothing overlapped.  A source that takes
 * another path (refused when read, of the same bytes as a stored
 * document, too large to be worked before it is stored) is added after
 * the ready one ends, whole, as oyl_doc_ingest would: the host hears of
 * every source in order.
 */
#include <string.h>

#include "core/validate.h"
#include "ingest/add.h"

/* The statuses that are a source's own: the call goes on after them.
 * Any other (the knowledge base gone, not the actor's, the storage
 * failing) would be every later source's too: the call ends with it. */
static int own_status(int rc)
{
	switch (rc) {
	case OYL_OK:
	case OYL_EXISTS:
	case OYL_EINVAL:
	case OYL_ENOTSUP:
	case OYL_EQUOTA:
	case OYL_ECONFLICT:
		return 1;
	default:
		return 0;
	}
}

typedef struct many {
	oyl_db *db;
	oyl_actor *actor;
	const char *kb;
	oyl__doc_opts o;
	oyl_doc_done_fn done;
	void *ctx;
	/* two slots: the ready source and the one being worked */
	oyl__source src[2];
	oyl__adding add[2];
	int stop; /* the status the call ends with, once not OYL_OK */
	char tenant[OYL_UUID_LEN + 1]; /* the knowledge base's, once read */
} many;

/* Tells the host of source i; frees doc.  Sets m->stop when the call is
 * to end (the host said so, or a status that is not the source's own). */
static void tell(many *m, size_t i, int rc, oyl__record *doc)
{
	const char *msg = rc == OYL_OK || rc == OYL_EXISTS ? NULL : oyl_db_errmsg(m->db);
	int stop = m->done ? m->done(i, rc, msg, (const oyl_document *)doc, m->ctx) : 0;
	oyl__record_free(doc);
	if (!own_status(rc)) {
		m->stop = rc; /* its message is the handle's already */
	} else if (stop) {
		m->stop = oyl__fail(m->db, OYL_ECANCELED,
				    "stopped by the done callback after source %zu", i);
	}
}

/* Ends the ready source (slot r) whose store was sent, tells of it. */
static void end_ready(many *m, size_t index, int r)
{
	oyl__record *doc = NULL;
	int rc = oyl__add_end(m->db, &m->add[r], &doc);
	oyl__source_free(&m->src[r]);
	tell(m, index, rc, doc);
}

/* Ends the ready source (its store sent first unless `stored`) and tells
 * of it, before source i is told: the order kept.  i's message, on the
 * handle, is kept across, unless the call now stops (the handle then
 * says why). */
static void flush_ready(many *m, int *ready, size_t index, int stored)
{
	if (*ready < 0)
		return;
	oyl__kept_error k;
	oyl__error_keep(m->db, &k);
	if (!stored)
		oyl__add_store(m->db, &m->add[*ready], NULL);
	end_ready(m, index, *ready);
	*ready = -1;
	if (!m->stop)
		oyl__error_restore(m->db, &k);
}

/* Source i (slot s) not worked ahead: refused when read (not loaded),
 * failing its pre-read (rc), of the same bytes as a stored document
 * (OYL_EXISTS), or too large to be worked before it is stored: told now,
 * or added whole as oyl_doc_ingest would. */
static void add_apart(many *m, size_t i, int s, int loaded, int rc)
{
	oyl__record *doc = NULL;
	if (rc == OYL_EXISTS && !oyl__add_retried(m->add[s].same)) {
		doc = m->add[s].same;
		m->add[s].same = NULL;
	} else if (rc == OYL_OK || rc == OYL_EXISTS) {
		oyl__add_drop(&m->add[s]);
		rc = oyl__add_source(m->db, m->actor, m->kb, &m->src[s], &m->o, 0, &doc);
		if (rc != OYL_OK && rc != OYL_EXISTS) {
			oyl__record_free(doc);
			doc = NULL;
		}
	}
	oyl__add_drop(&m->add[s]);
	if (loaded)
		oyl__source_free(&m->src[s]);
	tell(m, i, rc, doc);
}

static int check_sources(oyl_db *db, const oyl_doc_source *const *sources, size_t n)
{
	if (n && !sources)
		return oyl__fail(db, OYL_EINVAL, "sources: NULL for %zu sources", n);
	for (size_t i = 0; i < n; i++)
		if (!sources[i])
			return oyl__fail(db, OYL_EINVAL, "sources[%zu]: NULL", i);
	return OYL_OK;
}

/* Drops slot s: a source read and not to be added (the call stops). */
static void drop(many *m, int s, int loaded)
{
	oyl__add_drop(&m->add[s]);
	if (loaded)
		oyl__source_free(&m->src[s]);
}

static int run(many *m, const oyl_doc_source *const *sources, size_t n)
{
	size_t ready_index = 0;
	int ready = -1; /* the slot of the source worked and not stored */
	for (size_t i = 0; i < n && !m->stop; i++) {
		int s = ready == 0 ? 1 : 0;
		int rc = oyl__source_read(m->db, sources[i], m->o.max_bytes, &m->src[s]);
		int loaded = rc == OYL_OK;
		/* after the first, a source's same-bytes read rides in the
		 * ready one's transaction: no read of its own */
		int follows = loaded && ready >= 0 && oyl__add_at_once(&m->src[s]);
		if (follows) {
			oyl__add_follow(&m->add[ready], &m->src[s], &m->add[s]);
			oyl__add_store(m->db, &m->add[ready], &m->add[s]);
			if (m->add[s].same_unknown || m->add[s].same) {
				/* not to be worked ahead: the ready one ends first */
				flush_ready(m, &ready, ready_index, 1);
				if (m->stop)
					rc = m->stop;
				else if (m->add[s].same)
					rc = OYL_EXISTS;
				else /* the store failed before its reads */
					rc = oyl__add_read(m->db, m->actor, m->kb, &m->src[s],
							   &m->o, 0, m->tenant, &m->add[s]);
			}
		} else if (loaded) {
			rc = oyl__add_read(m->db, m->actor, m->kb, &m->src[s], &m->o, 0,
					   m->tenant[0] ? m->tenant : NULL, &m->add[s]);
			if (rc == OYL_OK || rc == OYL_EXISTS)
				memcpy(m->tenant, m->add[s].w.tenant, sizeof m->tenant);
		}
		if (rc != OYL_OK || !oyl__add_at_once(&m->src[s])) {
			flush_ready(m, &ready, ready_index, follows);
			if (m->stop)
				drop(m, s, loaded);
			else
				add_apart(m, i, s, loaded, rc);
			continue;
		}
		/* ready is the one whose store was sent (follows), or none */
		oyl__add_work(m->db, &m->add[s]); /* while the server commits */
		if (ready >= 0)
			end_ready(m, ready_index, ready);
		ready = s;
		ready_index = i;
	}
	if (m->stop && ready >= 0)
		drop(m, ready, 1);
	else
		flush_ready(m, &ready, ready_index, 0);
	return m->stop;
}

OYL_API int oyl_doc_ingest_many(oyl_actor *actor, const char *knowledge_base_id,
				const oyl_doc_source *const *sources, size_t n,
				const oyl_doc_options *opts, oyl_doc_done_fn done, void *ctx)
{
	int rc;
	char kb[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	many m;
	memset(&m, 0, sizeof m);
	if (!db || (rc = oyl__check_id(db, "knowledge_base_id", knowledge_base_id, kb)) ||
	    (rc = check_sources(db, sources, n)) || (rc = oyl__doc_resolve_opts(db, opts, &m.o)))
		return rc;
	if (m.o.progress)
		return oyl__fail(db, OYL_EINVAL,
				 "opts.progress: not for many sources (the done callback tells "
				 "of each)");
	m.db = db;
	m.actor = actor;
	m.kb = kb;
	m.done = done;
	m.ctx = ctx;
	rc = run(&m, sources, n);
	return rc ? rc : oyl__ok(db);
}
