/* Status code names and texts, generated from OYL_STATUS_TABLE; version. */
#include "oyl/oyl.h"

OYL_API const char *oyl_strerror(int status)
{
	switch (status) {
#define OYL__TEXT(name, value, text)                                                             \
	case value:                                                                              \
		return text;
		OYL_STATUS_TABLE(OYL__TEXT)
#undef OYL__TEXT
	}
	return "unknown status";
}

OYL_API const char *oyl_status_name(int status)
{
	switch (status) {
#define OYL__NAME(name, value, text)                                                             \
	case value:                                                                              \
		return #name;
		OYL_STATUS_TABLE(OYL__NAME)
#undef OYL__NAME
	}
	return "UNKNOWN";
}

OYL_API const char *oyl_version(void)
{
	return OYL_VERSION_STRING;
}

OYL_API int oyl_version_number(void)
{
	return OYL_VERSION_NUMBER;
}
