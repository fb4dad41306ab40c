/* The permission matrix: one table, one place to read it. */
#include "access/permissions.h"

#include <string.h>

/*
 * allowed[role]: superadmin, tenant_admin, user.  owner_only: the action
 * is on an object with an owner, and only the owner takes it (superadmins
 * included: chats are private).
 */
static const struct {
	unsigned char allowed[3];
	unsigned char owner_only;
	const char *what;
} matrix[OYL__ACTION_COUNT] = {
	[OYL__TENANT_CREATE] = {{1, 0, 0}, 0, "create, delete or list all tenants"},
	[OYL__TENANT_READ] = {{1, 1, 1}, 0, "read the tenant"},
	[OYL__TENANT_RENAME] = {{1, 1, 0}, 0, "rename the tenant"},
	[OYL__TENANT_RESLUG] = {{1, 0, 0}, 0, "change a tenant's slug"},
	[OYL__USER_MANAGE] = {{1, 1, 0}, 0, "create, delete or change the role of users"},
	[OYL__USER_READ_OTHERS] = {{1, 1, 0}, 0, "read other users"},
	[OYL__CONTENT_WRITE] = {{1, 1, 0}, 0, "change workspaces, teammates, assistants, "
					      "instructions, knowledge bases or social links"},
	[OYL__CONTENT_READ] = {{1, 1, 1}, 0, "read the tenant's content"},
	[OYL__AUDIT_READ] = {{1, 1, 0}, 0, "read the audit log"},
	[OYL__PLATFORM] = {{1, 0, 0}, 0, "manage the platform"},
	[OYL__DOCUMENT_WRITE] = {{1, 1, 0}, 0, "add, reprocess or delete documents"},
	[OYL__DOCUMENT_READ] = {{1, 1, 1}, 0, "read documents"},
	[OYL__SEARCH] = {{1, 1, 1}, 0, "search knowledge bases"},
	[OYL__CHAT_OWN] = {{1, 1, 1}, 1, "use another person's chat sessions"},
	[OYL__FEEDBACK_READ] = {{1, 1, 0}, 0, "read the ratings of answers"},
};

static const char *role_name(int role)
{
	switch (role) {
	case OYL_ROLE_SUPERADMIN:
		return "a superadmin";
	case OYL_ROLE_TENANT_ADMIN:
		return "a tenant_admin";
	default:
		return "a user";
	}
}

int oyl__role_may(const oyl_actor *actor, oyl__action action)
{
	int r = actor->role;
	if (r < OYL_ROLE_SUPERADMIN || r > OYL_ROLE_USER || action < 0 ||
	    action >= OYL__ACTION_COUNT)
		return 0;
	return matrix[action].allowed[r - OYL_ROLE_SUPERADMIN];
}

/* The actor's role is one read in this transaction (or it has no user). */
static int role_is_fresh(const oyl_db *db, const oyl_actor *actor)
{
	return !actor->id[0] || (db->txn_actor == actor && db->actor_checked);
}

int oyl__authorize(oyl_db *db, const oyl_actor *actor, oyl__action action)
{
	if (!role_is_fresh(db, actor))
		return oyl__fail(db, OYL_ERROR, "internal: permission checked before the actor's "
						"user was read");
	if (oyl__role_may(actor, action))
		return OYL_OK;
	return oyl__fail(db, OYL_EPERM, "permission denied: %s may not %s", role_name(actor->role),
			 matrix[action].what);
}

int oyl__authorize_owned(oyl_db *db, const oyl_actor *actor, oyl__action action,
			 const char *owner_id, const char *noun, const char *id)
{
	int rc = oyl__authorize(db, actor, action);
	if (rc != OYL_OK || !matrix[action].owner_only)
		return rc;
	if (!actor->id[0] || !owner_id || strcmp(actor->id, owner_id) != 0)
		return oyl__fail(db, OYL_ENOTFOUND, "%s %s not found", noun, id);
	return OYL_OK;
}

int oyl__tenant_visible(const oyl_actor *actor, const char *tenant_id)
{
	return actor->role == OYL_ROLE_SUPERADMIN ||
	       (tenant_id && actor->tenant_id[0] && strcmp(actor->tenant_id, tenant_id) == 0);
}
