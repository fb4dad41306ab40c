/*
 * What every embedder shares: oyl_embedder_free, and the HTTP embedder's
 * refusal in a build without libcurl.
 */
#include <stdio.h>

#include "oyl/sys/embedder.h"

OYL_API void oyl_embedder_free(oyl_embedder *e)
{
	if (e && e->free)
		e->free(e);
}

#ifndef OYL_HAVE_CURL
OYL_API int oyl_http_embedder_new(const oyl_http_embedder_options *opts, oyl_embedder **out,
				  char *errbuf, size_t errbuf_size)
{
	(void)opts;
	if (out)
		*out = NULL;
	if (errbuf && errbuf_size)
		snprintf(errbuf, errbuf_size,
			 "the HTTP embedder: this build of liboyl has no libcurl");
	return OYL_ENOTSUP;
}
#endif
