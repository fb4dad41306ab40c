/*
 * oyl_kb_search's lexical search for a caller that already holds a
 * transaction for its actor (chat reads an answer's passages in the
 * question's transaction: doc/prompting.md).  Vector and hybrid searches
 * embed the question first, which is slow work, and so run only through
 * oyl_kb_search, in a transaction of their own.
 */
#ifndef OYL_SEARCH_SEARCH_H
#define OYL_SEARCH_SEARCH_H

#include "core/internal.h"
#include "records/batch.h"

typedef struct oyl__search_target oyl__search_target;

/* The reads of an assistant's knowledge bases, for a search of it, queued
 * into a caller's batch that reads the assistant itself, so that they
 * share its round trip; handed to oyl__search_lexical_in_txn after the
 * batch ran.  NULL out of memory (the search then reads them itself). */
oyl__search_target *oyl__search_target_queue(oyl__batch *bt, oyl_actor *actor,
					     const char *assistant_id);
void oyl__search_target_free(oyl__search_target *t);

/* As oyl_kb_search of `assistant` (its row, read by the caller in this
 * transaction), inside the open transaction of `actor`, whose user was
 * read in it; opts->mode must be lexical.  `pre`, when not NULL, is the
 * assistant's knowledge bases, queued and run by the caller in this
 * transaction.  With end_txn, the search's last read batch ends the
 * transaction, committing it with those reads in one round trip where the
 * backend can (oyl__batch_run_end); a search that finds nothing to read
 * back leaves it open, and the caller's oyl__txn_end ends it either way.
 * The status, with the handle's message set; *out gets new results on
 * OYL_OK. */
int oyl__search_lexical_in_txn(oyl_db *db, oyl_actor *actor, const oyl__record *assistant,
			       const char *query, const oyl_search_options *opts,
			       oyl__search_target *pre, int end_txn, oyl_search_results **out);

#endif
