/* The HTTP provider's refusal in a build without libcurl (chat/provider_http.c otherwise). */
#include <stdio.h>

#include "oyl/sys/provider.h"

#ifndef OYL_HAVE_CURL
OYL_API int oyl_http_provider_new(const oyl_http_provider_options *opts, oyl_provider **out,
				  char *errbuf, size_t errbuf_size)
{
	(void)opts;
	if (out)
		*out = NULL;
	if (errbuf && errbuf_size)
		snprintf(errbuf, errbuf_size,
			 "the HTTP provider: this build of liboyl has no libcurl");
	return OYL_ENOTSUP;
}
#endif
