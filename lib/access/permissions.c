/* The permission matrix: one table, one place to read it. */
#include "access/permissions.h"

#include <string.h>

/* allowed[action][role]: superadmin, tenant_admin, user */
static const struct {
	unsigned char allowed[3];
	const char *what;
} matrix[] = {
	[OYL__TENANT_CREATE] = {{1, 0, 0}, "create, delete or list all tenants"},
	[OYL__TENANT_READ] = {{1, 1, 1}, "read the tenant"},
	[OYL__TENANT_RENAME] = {{1, 1, 0}, "rename the tenant"},
	[OYL__TENANT_RESLUG] = {{1, 0, 0}, "change a tenant's slug"},
	[OYL__USER_MANAGE] = {{1, 1, 0}, "create, delete or change the role of users"},
	[OYL__USER_READ_OTHERS] = {{1, 1, 0}, "read other users"},
	[OYL__CONTENT_WRITE] = {{1, 1, 0}, "change workspaces, teammates, assistants, "
					   "instructions, knowledge bases or social links"},
	[OYL__CONTENT_READ] = {{1, 1, 1}, "read the tenant's content"},
	[OYL__AUDIT_READ] = {{1, 1, 0}, "read the audit log"},
	[OYL__PLATFORM] = {{1, 0, 0}, "manage the platform"},
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
	if (r < OYL_ROLE_SUPERADMIN || r > OYL_ROLE_USER)
		return 0;
	return matrix[action].allowed[r - OYL_ROLE_SUPERADMIN];
}

int oyl__authorize(oyl_db *db, const oyl_actor *actor, oyl__action action)
{
	if (oyl__role_may(actor, action))
		return OYL_OK;
	return oyl__fail(db, OYL_EPERM, "permission denied: %s may not %s", role_name(actor->role),
			 matrix[action].what);
}

int oyl__tenant_visible(const oyl_actor *actor, const char *tenant_id)
{
	return actor->role == OYL_ROLE_SUPERADMIN ||
	       (tenant_id && actor->tenant_id[0] && strcmp(actor->tenant_id, tenant_id) == 0);
}
