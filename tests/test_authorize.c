/*
 * The permission code itself, white-box: the role matrix as
 * doc/permissions.md states it, and the owner dimension that chat sessions
 * (and whatever else gets an owner) go through, for every role, owner or
 * not.  The public calls are covered by test_permissions.c; the owner rules
 * are checked here before any public call uses them.
 */
#include <stdio.h>
#include <string.h>

#include "access/permissions.h"
#include "harness.h"

#define ALICE "11111111-1111-4111-8111-111111111111"
#define BOB "22222222-2222-4222-8222-222222222222"
#define TENANT "33333333-3333-4333-8333-333333333333"
#define SESSION "44444444-4444-4444-8444-444444444444"

/* An actor as a call sees it once its user was read in the transaction. */
static oyl_actor checked_actor(oyl_db *db, int role, const char *id, const char *tenant)
{
	oyl_actor a;
	memset(&a, 0, sizeof a);
	a.db = db;
	a.role = role;
	a.tenant_known = 1;
	snprintf(a.id, sizeof a.id, "%s", id ? id : "");
	snprintf(a.tenant_id, sizeof a.tenant_id, "%s", tenant ? tenant : "");
	a.is_account = role == OYL_ROLE_SUPERADMIN && id;
	return a;
}

static void read_in_txn(oyl_db *db, oyl_actor *a)
{
	db->txn_actor = a;
	db->actor_checked = 1;
}

/* The matrix of doc/permissions.md ("The role matrix"): S, A, U. */
static const struct {
	oyl__action action;
	int allowed[3];
} documented[] = {
	{OYL__TENANT_CREATE, {1, 0, 0}},    {OYL__TENANT_READ, {1, 1, 1}},
	{OYL__TENANT_RENAME, {1, 1, 0}},    {OYL__TENANT_RESLUG, {1, 0, 0}},
	{OYL__USER_MANAGE, {1, 1, 0}},      {OYL__USER_READ_OTHERS, {1, 1, 0}},
	{OYL__CONTENT_WRITE, {1, 1, 0}},    {OYL__CONTENT_READ, {1, 1, 1}},
	{OYL__AUDIT_READ, {1, 1, 0}},       {OYL__PLATFORM, {1, 0, 0}},
	{OYL__DOCUMENT_WRITE, {1, 1, 0}},   {OYL__DOCUMENT_READ, {1, 1, 1}},
	{OYL__SEARCH, {1, 1, 1}},           {OYL__CHAT_OWN, {1, 1, 1}},
	{OYL__FEEDBACK_READ, {1, 1, 0}},
};

START_TEST(roles_follow_the_documented_matrix)
{
	ck_assert_int_eq(sizeof documented / sizeof documented[0], OYL__ACTION_COUNT);
	oyl_db *db = t_open();
	for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
		for (int r = 0; r < 3; r++) {
			int role = OYL_ROLE_SUPERADMIN + r;
			oyl_actor a = checked_actor(db, role, ALICE,
						    role == OYL_ROLE_SUPERADMIN ? NULL : TENANT);
			read_in_txn(db, &a);
			int rc = oyl__authorize(db, &a, documented[i].action);
			ck_assert_msg(rc == (documented[i].allowed[r] ? OYL_OK : OYL_EPERM),
				      "action %d, role %d: %s", (int)documented[i].action, role,
				      oyl_status_name(rc));
			if (rc == OYL_EPERM)
				ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "permission denied: "));
		}
	db->txn_actor = NULL;
	oyl_db_close(db);
}
END_TEST

START_TEST(a_session_is_its_owner_s_alone)
{
	oyl_db *db = t_open();
	static const struct {
		int role;
		const char *id;    /* NULL: the host's superadmin, no user */
		const char *owner; /* the session's owner */
		int want;
	} cases[] = {
	    {OYL_ROLE_USER, ALICE, ALICE, OYL_OK},
	    {OYL_ROLE_USER, BOB, ALICE, OYL_ENOTFOUND},
	    {OYL_ROLE_TENANT_ADMIN, ALICE, ALICE, OYL_OK},
	    {OYL_ROLE_TENANT_ADMIN, BOB, ALICE, OYL_ENOTFOUND},
	    {OYL_ROLE_SUPERADMIN, ALICE, ALICE, OYL_OK},       /* an account's own session */
	    {OYL_ROLE_SUPERADMIN, BOB, ALICE, OYL_ENOTFOUND},  /* nobody reads another's */
	    {OYL_ROLE_SUPERADMIN, NULL, ALICE, OYL_ENOTFOUND}, /* the host's superadmin too */
	    {OYL_ROLE_USER, ALICE, NULL, OYL_ENOTFOUND},       /* a session with no owner */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		oyl_actor a = checked_actor(db, cases[i].role, cases[i].id,
					    cases[i].role == OYL_ROLE_SUPERADMIN ? NULL : TENANT);
		read_in_txn(db, &a);
		int rc = oyl__authorize_owned(db, &a, OYL__CHAT_OWN, cases[i].owner, "chat session",
					      SESSION);
		ck_assert_msg(rc == cases[i].want, "case %zu: %s, want %s", i, oyl_status_name(rc),
			      oyl_status_name(cases[i].want));
		/* Refused: exactly the message of a session that does not exist. */
		if (rc == OYL_ENOTFOUND)
			ck_assert_str_eq(oyl_db_errmsg(db), "chat session " SESSION " not found");
	}
	db->txn_actor = NULL;
	oyl_db_close(db);
}
END_TEST

START_TEST(an_owner_does_not_widen_a_role)
{
	/* Actions without an owner dimension ignore the owner: a user who
	 * uploaded a document still may not delete it, an admin who did not
	 * may. */
	oyl_db *db = t_open();
	oyl_actor user = checked_actor(db, OYL_ROLE_USER, ALICE, TENANT);
	read_in_txn(db, &user);
	ck_assert_int_eq(oyl__authorize_owned(db, &user, OYL__DOCUMENT_WRITE, ALICE, "document",
					      SESSION),
			 OYL_EPERM);
	oyl_actor admin = checked_actor(db, OYL_ROLE_TENANT_ADMIN, BOB, TENANT);
	read_in_txn(db, &admin);
	ck_assert_int_eq(oyl__authorize_owned(db, &admin, OYL__DOCUMENT_WRITE, ALICE, "document",
					      SESSION),
			 OYL_OK);
	db->txn_actor = NULL;
	oyl_db_close(db);
}
END_TEST

START_TEST(a_role_not_read_in_the_transaction_decides_nothing)
{
	oyl_db *db = t_open();
	oyl_actor a = checked_actor(db, OYL_ROLE_TENANT_ADMIN, ALICE, TENANT);
	db->txn_actor = &a;
	db->actor_checked = 0; /* read by an earlier call, not this one */
	ck_assert_int_eq(oyl__authorize(db, &a, OYL__CONTENT_READ), OYL_ERROR);
	ck_assert_int_eq(oyl__authorize_owned(db, &a, OYL__CHAT_OWN, ALICE, "chat session", SESSION),
			 OYL_ERROR);
	oyl_actor other = checked_actor(db, OYL_ROLE_TENANT_ADMIN, BOB, TENANT);
	db->actor_checked = 1; /* another actor's user was read */
	ck_assert_int_eq(oyl__authorize(db, &other, OYL__CONTENT_READ), OYL_ERROR);
	db->txn_actor = NULL;
	oyl_db_close(db);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("authorize");
	tcase_add_test(tc, roles_follow_the_documented_matrix);
	tcase_add_test(tc, a_session_is_its_owner_s_alone);
	tcase_add_test(tc, an_owner_does_not_widen_a_role);
	tcase_add_test(tc, a_role_not_read_in_the_transaction_decides_nothing);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
