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

/* As oyl_kb_search, inside the open transaction of `actor`, whose user
 * was read in it; opts->mode must be lexical.  The status, with the
 * handle's message set; *out gets new results on OYL_OK. */
int oyl__search_lexical_in_txn(oyl_db *db, oyl_actor *actor, const char *target_id,
			       const char *query, const oyl_search_options *opts,
			       oyl_search_results **out);

#endif
