/*
 * Workers (oyl_worker_run): the queue is ingest_jobs, one row per
 * document waiting or in hand, global so that one worker serves every
 * tenant.  A job is claimable once its `available_at` has come: at once
 * when queued, at the end of its lease when a worker holds it, after a
 * pause when it failed.  Claiming (the backend's claim(): rows another
 * transaction holds are skipped, never waited for) takes the job's lease
 * and counts its attempt up; the document is then processed in its
 * tenant's scope (ingest/pipeline.c), whose final write is fenced on the
 * document's own attempt.  A worker that dies leaves its job to be taken
 * again when the lease ends; one that wakes after losing its lease finds
 * its fence gone and changes nothing, not even the job.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/pipeline.h"
#include "model/kind.h"

#define CHANNEL "oyl_ingest"
#define RETRY_PAUSE_S 30 /* after a failure that may pass (storage, connection) */

#define OPT_HAS(o, field)                                                                        \
	((o) && (o)->size >= offsetof(oyl_worker_options, field) + sizeof((o)->field))

typedef struct worker {
	oyl_db *db;
	char id[128];
	int64_t lease_us;
	int32_t max_attempts;
	int32_t poll_ms;
	const volatile int *stop;
	int until_idle;
	int64_t max_documents;
} worker;

typedef struct job {
	char id[OYL_UUID_LEN + 1];
	char tenant[OYL_UUID_LEN + 1];
	char document[OYL_UUID_LEN + 1];
	int64_t attempt;      /* as claimed, counted up */
	char last_error[OYL_ERRMSG_MAX];
	int found;
} job;

static int job_cb(const oyl_value *v, size_t n, void *payload)
{
	(void)n;
	job *j = payload;
	memcpy(j->id, v[INGEST_JOBS_id].s, OYL_UUID_LEN + 1);
	memcpy(j->tenant, v[INGEST_JOBS_tenant_id].s, OYL_UUID_LEN + 1);
	memcpy(j->document, v[INGEST_JOBS_document_id].s, OYL_UUID_LEN + 1);
	j->attempt = v[INGEST_JOBS_attempt].i;
	snprintf(j->last_error, sizeof j->last_error, "%s",
		 v[INGEST_JOBS_last_error].type == OYL_TYPE_NULL ? "" : v[INGEST_JOBS_last_error].s);
	j->found = 1;
	return 0;
}

static oyl_filter job_fence(const job *j, oyl_filter f[2])
{
	f[0] = oyl__eq(INGEST_JOBS_id, OYL_TYPE_UUID, j->id);
	f[1] = (oyl_filter){INGEST_JOBS_attempt, OYL_OP_EQ, oyl__val_int(OYL_TYPE_INT, j->attempt)};
	return f[0];
}

/* A document out of attempts: in error with its last failure, job gone. */
static int give_up(worker *wk, const job *j)
{
	oyl_db *db = wk->db;
	char msg[OYL_ERRMSG_MAX + 64];
	snprintf(msg, sizeof msg, "gave up after %lld attempts: %s", (long long)j->attempt - 1,
		 j->last_error[0] ? j->last_error : "the worker stopped (its lease ran out)");
	oyl_assign set[] = {
		{DOCUMENTS_status, oyl__val_text(OYL_TYPE_TEXT, "error")},
		{DOCUMENTS_error, oyl__val_text(OYL_TYPE_TEXT, msg)},
		{DOCUMENTS_worker_id, oyl__val_null()},
		{DOCUMENTS_lease_until, oyl__val_null()},
		{DOCUMENTS_lease_started_at, oyl__val_null()},
		{DOCUMENTS_updated_at, oyl__val_int(OYL_TYPE_TIME, oyl__now())},
	};
	oyl_filter of_doc = oyl__eq(DOCUMENTS_id, OYL_TYPE_UUID, j->document);
	oyl_filter fence[2];
	job_fence(j, fence);
	oyl__note nd = {"giving up on the document", NULL, NULL};
	oyl__note nj = {"removing the document's job", NULL, NULL};
	int rc = oyl__write_update(db, j->tenant, &oyl__t_documents, &of_doc, 1, set,
				   sizeof set / sizeof set[0], NULL, &nd);
	if (rc == OYL_OK)
		rc = oyl__write_remove(db, NULL, &oyl__t_ingest_jobs, fence, 2, NULL, &nj);
	return rc;
}

/* Claims one job: 1 when claimed, 0 when none is available, < 0 failed. */
static int claim(worker *wk, job *j)
{
	oyl_db *db = wk->db;
	memset(j, 0, sizeof *j);
	int64_t now = oyl__now();
	int rc = oyl__txn_begin(db, NULL, NULL, OYL_TXN_WRITE);
	if (rc)
		return rc;
	oyl_filter due = {INGEST_JOBS_available_at, OYL_OP_LE, oyl__val_int(OYL_TYPE_TIME, now)};
	oyl_assign take[] = {
		{INGEST_JOBS_worker_id, oyl__val_text(OYL_TYPE_TEXT, wk->id)},
		{INGEST_JOBS_available_at, oyl__val_int(OYL_TYPE_TIME, now + wk->lease_us)},
	};
	oyl_scope platform = {NULL};
	rc = db->backend->claim(db->backend, &platform, &oyl__t_ingest_jobs, &due, 1,
				INGEST_JOBS_available_at, 1, take, 2, job_cb, j);
	if (rc)
		rc = oyl__fail_backend(db, rc, "claiming a job");
	if (rc == OYL_OK && j->found) {
		/* the attempt, counted on the row this transaction holds */
		j->attempt++;
		oyl_filter of_job = oyl__eq(INGEST_JOBS_id, OYL_TYPE_UUID, j->id);
		oyl_assign count = {INGEST_JOBS_attempt, oyl__val_int(OYL_TYPE_INT, j->attempt)};
		oyl__note note = {"counting the job's attempt", NULL, NULL};
		rc = oyl__write_update(db, NULL, &oyl__t_ingest_jobs, &of_job, 1, &count, 1, NULL,
				       &note);
		if (rc == OYL_OK && j->attempt > wk->max_attempts) {
			rc = give_up(wk, j);
			j->found = 0;
			if (rc == OYL_OK)
				rc = oyl__txn_end(db, OYL_OK);
			return rc ? rc : 2; /* ended, not to be processed */
		}
	}
	rc = oyl__txn_end(db, rc);
	return rc ? rc : j->found;
}

/* Ends a job after its document was processed (or failed for good), or
 * puts it back for later; fenced on the attempt this worker claimed. */
static int end_job(worker *wk, const job *j, int status)
{
	oyl_db *db = wk->db;
	int again = status != OYL_OK && status != OYL_EINVAL && status != OYL_ENOTSUP &&
		    status != OYL_ECONFLICT && status != OYL_ENOTFOUND;
	char msg[OYL_ERRMSG_MAX];
	snprintf(msg, sizeof msg, "%s", db->errmsg);
	int rc = oyl__txn_begin(db, NULL, NULL, OYL_TXN_WRITE);
	if (rc)
		return rc;
	oyl_filter fence[2];
	job_fence(j, fence);
	if (again) {
		oyl_assign set[] = {
			{INGEST_JOBS_worker_id, oyl__val_null()},
			{INGEST_JOBS_last_error, oyl__val_text(OYL_TYPE_TEXT, msg)},
			{INGEST_JOBS_available_at,
			 oyl__val_int(OYL_TYPE_TIME, oyl__now() + RETRY_PAUSE_S * 1000000LL)},
		};
		oyl__note note = {"putting the job back", NULL, NULL};
		rc = oyl__write_update(db, NULL, &oyl__t_ingest_jobs, fence, 2, set, 3, NULL, &note);
	} else {
		oyl__note note = {"ending the job", NULL, NULL};
		rc = oyl__write_remove(db, NULL, &oyl__t_ingest_jobs, fence, 2, NULL, &note);
	}
	return oyl__txn_end(db, rc);
}

static int stopped(const worker *wk)
{
	return wk->stop && *wk->stop;
}

/* Sleeps until work may have come: a notification, or poll_ms. */
static void idle(worker *wk)
{
	oyl_db *db = wk->db;
	if (db->caps & OYL_BACKEND_CAP_WAIT) {
		int64_t left = wk->poll_ms;
		while (left > 0 && !stopped(wk)) {
			int64_t slice = left < 200 ? left : 200;
			if (db->backend->wait(db->backend, CHANNEL, slice) == OYL_OK)
				return;
			left -= slice;
		}
		return;
	}
	for (int64_t slept = 0; slept < wk->poll_ms && !stopped(wk); slept += 50) {
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static int configure(oyl_db *db, const oyl_worker_options *o, worker *wk)
{
	memset(wk, 0, sizeof *wk);
	wk->db = db;
	wk->lease_us = 300 * 1000000LL;
	wk->max_attempts = 3;
	wk->poll_ms = 1000;
	if (o && o->size < sizeof(uint32_t))
		return oyl__fail(db, OYL_EINVAL, "opts: size not set (use OYL_WORKER_OPTIONS_INIT)");
	const char *id = OPT_HAS(o, worker_id) ? o->worker_id : NULL;
	if (id && (!*id || strlen(id) >= sizeof wk->id))
		return oyl__fail(db, OYL_EINVAL, "opts.worker_id: 1 to %zu bytes", sizeof wk->id - 1);
	if (id) {
		snprintf(wk->id, sizeof wk->id, "%s", id);
	} else {
		char host[64] = "host";
		gethostname(host, sizeof host - 1);
		host[sizeof host - 1] = '\0';
		snprintf(wk->id, sizeof wk->id, "%s:%ld", host, (long)getpid());
	}
	if (OPT_HAS(o, lease_seconds) && o->lease_seconds) {
		if (o->lease_seconds < 1 || o->lease_seconds > 7 * 24 * 3600)
			return oyl__fail(db, OYL_EINVAL, "opts.lease_seconds: 1 to a week (0: 300)");
		wk->lease_us = o->lease_seconds * 1000000LL;
	}
	if (OPT_HAS(o, max_attempts) && o->max_attempts) {
		if (o->max_attempts < 1)
			return oyl__fail(db, OYL_EINVAL, "opts.max_attempts: at least 1 (0: 3)");
		wk->max_attempts = o->max_attempts;
	}
	if (OPT_HAS(o, poll_ms) && o->poll_ms) {
		if (o->poll_ms < 1)
			return oyl__fail(db, OYL_EINVAL, "opts.poll_ms: at least 1 (0: 1000)");
		wk->poll_ms = o->poll_ms;
	}
	if (OPT_HAS(o, stop))
		wk->stop = o->stop;
	if (OPT_HAS(o, until_idle))
		wk->until_idle = o->until_idle;
	if (OPT_HAS(o, max_documents)) {
		if (o->max_documents < 0)
			return oyl__fail(db, OYL_EINVAL, "opts.max_documents: 0 (no limit) or more");
		wk->max_documents = o->max_documents;
	}
	if (!(db->caps & OYL_BACKEND_CAP_CLAIM))
		return oyl__unsupported(db, "claim", "workers need to take jobs");
	return OYL_OK;
}

OYL_API int oyl_worker_run(oyl_db *db, const oyl_worker_options *opts, int64_t *processed)
{
	if (processed)
		*processed = 0;
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	oyl__ok(db);
	worker wk;
	int rc = configure(db, opts, &wk);
	if (rc)
		return rc;
	/* listening before the first look: nothing queued after it is missed */
	if (db->caps & OYL_BACKEND_CAP_WAIT)
		db->backend->wait(db->backend, CHANNEL, 0);
	int64_t done = 0;
	while (!stopped(&wk) && (!wk.max_documents || done < wk.max_documents)) {
		job j;
		int got = claim(&wk, &j);
		if (got < 0) {
			rc = got;
			break;
		}
		if (got == 2) {
			done++;
			continue;
		}
		if (got == 0) {
			if (wk.until_idle)
				break;
			idle(&wk);
			continue;
		}
		oyl__doc_work w = {NULL, "", "", 0,
				   {OYL__CHUNK_TARGET_DEFAULT, OYL__CHUNK_OVERLAP_DEFAULT},
				   NULL, NULL, wk.id, oyl__now() + wk.lease_us, 0, "", "", "", 0};
		memcpy(w.tenant, j.tenant, sizeof w.tenant);
		memcpy(w.id, j.document, sizeof w.id);
		int status = oyl__doc_process(db, &w, NULL, 0, NULL);
		if (status == OYL_EPERM || status == OYL_EDISCONNECTED || status == OYL_ENOMEM) {
			/* the worker's own trouble, not the document's: the job
			 * goes back (its lease ends it) and the worker stops */
			rc = status;
			break;
		}
		if ((rc = end_job(&wk, &j, status)))
			break;
		/* overtaken: the worker that took over ends the document */
		done += status != OYL_ECONFLICT;
	}
	if (processed)
		*processed = done;
	return rc ? rc : oyl__ok(db);
}
