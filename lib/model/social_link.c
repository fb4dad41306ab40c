/*
 * Social links of a tenant.  The URL must be http(s) with a host; the
 * platform is inferred from the host (x.com is twitter, youtu.be is
 * youtube, subdomains count), and a platform given by the caller must
 * agree with it.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/validate.h"
#include "model/kind.h"

#define URL_MAX 2048

const oyl__kind oyl__kind_social_link = {&oyl__t_social_links, "social link", "social_link", NULL,
					 SOCIAL_LINKS_tenant_id, SOCIAL_LINKS_created_at,
					 SOCIAL_LINKS_updated_at, OYL__CONTENT_READ,
					 OYL__CONTENT_WRITE, NULL, 0};

static const char *const platform_names[] = {NULL,        "twitter", "facebook", "linkedin",
					     "instagram", "youtube", "other"};

static const struct {
	const char *domain;
	int platform;
} known_hosts[] = {
	{"twitter.com", OYL_PLATFORM_TWITTER},     {"x.com", OYL_PLATFORM_TWITTER},
	{"facebook.com", OYL_PLATFORM_FACEBOOK},   {"fb.com", OYL_PLATFORM_FACEBOOK},
	{"linkedin.com", OYL_PLATFORM_LINKEDIN},   {"instagram.com", OYL_PLATFORM_INSTAGRAM},
	{"youtube.com", OYL_PLATFORM_YOUTUBE},     {"youtu.be", OYL_PLATFORM_YOUTUBE},
};

/* host equals domain, or ends with "." + domain */
static int host_in(const char *host, size_t n, const char *domain)
{
	size_t d = strlen(domain);
	if (n == d)
		return strncasecmp(host, domain, n) == 0;
	return n > d && host[n - d - 1] == '.' && strncasecmp(host + n - d, domain, d) == 0;
}

/* Finds the host of an http(s) URL: [user@]host[:port] after "//". */
static int url_host(const char *url, const char **host, size_t *len)
{
	const char *p;
	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return 0;
	size_t auth = strcspn(p, "/?#");
	const char *at = memchr(p, '@', auth);
	if (at) {
		auth -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	size_t h = 0;
	while (h < auth && p[h] != ':')
		h++;
	if (h == 0 || h > 253)
		return 0;
	for (size_t i = 0; i < h; i++)
		if (!(isalnum((unsigned char)p[i]) || p[i] == '-' || p[i] == '.'))
			return 0;
	if (p[0] == '.' || p[0] == '-' || p[h - 1] == '.')
		return 0;
	for (size_t i = h + 1; i < auth; i++) /* port: digits */
		if (!isdigit((unsigned char)p[i]))
			return 0;
	if (h < auth && h + 1 == auth)
		return 0;
	*host = p;
	*len = h;
	return 1;
}

/* Checks url and platform; *resolved gets the platform to store. */
static int check_link(oyl_db *db, const char *url, int platform, int *resolved)
{
	int rc = oyl__check_text(db, "url", url, 1, URL_MAX, 0);
	if (rc)
		return rc;
	const char *host;
	size_t n;
	if (strchr(url, ' ') || !url_host(url, &host, &n))
		return oyl__fail(db, OYL_EINVAL, "url: must be an http or https URL with a host");
	if (platform < OYL_PLATFORM_AUTO || platform > OYL_PLATFORM_OTHER)
		return oyl__fail(db, OYL_EINVAL, "platform: unknown value %d", platform);
	int inferred = OYL_PLATFORM_OTHER;
	for (size_t i = 0; i < sizeof known_hosts / sizeof known_hosts[0]; i++)
		if (host_in(host, n, known_hosts[i].domain))
			inferred = known_hosts[i].platform;
	if (platform != OYL_PLATFORM_AUTO && platform != inferred)
		return oyl__fail(db, OYL_EINVAL, "platform: %s does not match the URL's host (%s)",
				 platform_names[platform], platform_names[inferred]);
	*resolved = inferred;
	return OYL_OK;
}

OYL_API int oyl_social_link_create(oyl_actor *actor, const char *tenant_id, const char *url,
				   int platform, oyl_social_link **out)
{
	int rc, resolved;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = check_link(db, url, platform, &resolved)))
		return rc;
	int64_t now = oyl__now();
	oyl_value v[SOCIAL_LINKS__N];
	v[SOCIAL_LINKS_url] = oyl__val_text(OYL_TYPE_TEXT, url);
	v[SOCIAL_LINKS_platform] = oyl__val_text(OYL_TYPE_TEXT, platform_names[resolved]);
	v[SOCIAL_LINKS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[SOCIAL_LINKS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	return oyl__create_child(db, actor, &oyl__kind_social_link, "tenant_id", tenant_id, v, NULL,
				 out);
}

OYL_API int oyl_social_link_get(oyl_actor *actor, const char *id, oyl_social_link **out)
{
	return oyl__get_public(actor, &oyl__kind_social_link, id, out);
}

OYL_API int oyl_social_link_list(oyl_actor *actor, const char *tenant_id,
				 const oyl_list_options *opts, oyl_page **out)
{
	return oyl__list_public(actor, &oyl__kind_social_link, tenant_id, opts, out);
}

static int platform_from_text(const char *s)
{
	for (int i = OYL_PLATFORM_TWITTER; s && i <= OYL_PLATFORM_OTHER; i++)
		if (strcmp(platform_names[i], s) == 0)
			return i;
	return 0;
}

typedef struct link_change {
	const char *url;
	int platform;
	oyl_assign *platform_slot;
} link_change;

/* The platform is checked against the URL the link will have. */
static int check_link_update(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
			     const oyl__batch *bt, void *ctx)
{
	(void)bt;
	link_change *c = ctx;
	int rc = oyl__authorize(db, actor, OYL__CONTENT_WRITE), resolved;
	const char *url = c->url ? c->url : oyl__record_text(row, SOCIAL_LINKS_url);
	if (rc == OYL_OK)
		rc = check_link(db, url, c->platform, &resolved);
	if (rc == OYL_OK)
		c->platform_slot->value = oyl__val_text(OYL_TYPE_TEXT, platform_names[resolved]);
	return rc;
}

OYL_API int oyl_social_link_update(oyl_actor *actor, const char *id, const char *url, int platform,
				   oyl_social_link **out)
{
	int rc, resolved;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	/* Shape checks first, so bad input fails before any lookup. */
	if (url && (rc = check_link(db, url, OYL_PLATFORM_AUTO, &resolved)))
		return rc;
	if (platform < OYL_PLATFORM_AUTO || platform > OYL_PLATFORM_OTHER)
		return oyl__fail(db, OYL_EINVAL, "platform: unknown value %d", platform);
	oyl_assign set[3];
	size_t n = 0;
	if (url)
		set[n++] = (oyl_assign){SOCIAL_LINKS_url, oyl__val_text(OYL_TYPE_TEXT, url)};
	set[n] = (oyl_assign){SOCIAL_LINKS_platform, oyl__val_null()};
	link_change c = {url, platform, &set[n++]};
	oyl__hooks hooks = {NULL, check_link_update, &c, NULL, NULL};
	return oyl__update_public(actor, &oyl__kind_social_link, id, set, n, &hooks, out);
}

OYL_API int oyl_social_link_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_social_link, id);
}

OYL_API int oyl_social_link_platform(const oyl_social_link *l)
{
	return platform_from_text(
		oyl__record_text(oyl__as(l, &oyl__kind_social_link), SOCIAL_LINKS_platform));
}

OYL_API const oyl_social_link *oyl_page_social_link(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, oyl__kind_social_link.t, i);
}

OYL__TEXT_GETTER(oyl_social_link_id, oyl_social_link, oyl__kind_social_link, SOCIAL_LINKS_id)
OYL__TEXT_GETTER(oyl_social_link_tenant_id, oyl_social_link, oyl__kind_social_link,
		 SOCIAL_LINKS_tenant_id)
OYL__TEXT_GETTER(oyl_social_link_url, oyl_social_link, oyl__kind_social_link, SOCIAL_LINKS_url)
OYL__INT_GETTER(oyl_social_link_created_at, oyl_social_link, oyl__kind_social_link,
		SOCIAL_LINKS_created_at)
OYL__INT_GETTER(oyl_social_link_updated_at, oyl_social_link, oyl__kind_social_link,
		SOCIAL_LINKS_updated_at)
OYL__RECORD_BASICS(oyl_social_link, oyl_social_link, oyl__kind_social_link)
