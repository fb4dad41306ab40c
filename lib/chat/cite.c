/* [n] markers of an answer, mapped to passages (cite.h). */
#include "chat/cite.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "oyl/oyl.h"

#define MARKER_MAX 48  /* bytes between the brackets of a marker */
#define NUMBERS_MAX 16 /* numbers in one marker */

/* Parses "1, 3" (spaces allowed) into nums; 0 when it is not a marker. */
static size_t parse_marker(const char *s, size_t n, int32_t *nums)
{
	size_t k = 0, i = 0;
	for (;;) {
		while (i < n && s[i] == ' ')
			i++;
		int32_t v = 0;
		size_t digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (s[i++] - '0');
			digits++;
		}
		if (digits == 0 || k == NUMBERS_MAX)
			return 0;
		nums[k++] = v;
		while (i < n && s[i] == ' ')
			i++;
		if (i == n)
			return k;
		if (s[i++] != ',')
			return 0;
	}
}

static void note_cited(oyl__cites *c, int32_t v)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->numbers[i] == v)
			return;
	if (c->n < OYL__CITE_MAX)
		c->numbers[c->n++] = v;
}

int oyl__cite_scan(const char *answer, size_t n, size_t npassages, oyl__cites *out)
{
	memset(out, 0, sizeof *out);
	/* the answer only shrinks, but a rewritten marker "[1,3]" may grow
	 * to "[1, 3]": room for that */
	char *o = oyl__malloc(n + n / 2 + 1);
	if (!o)
		return OYL_ENOMEM;
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		const char *close =
			answer[i] == '[' ? memchr(answer + i + 1, ']', n - i - 1) : NULL;
		int32_t nums[NUMBERS_MAX];
		size_t k = 0, inner = close ? (size_t)(close - answer - i - 1) : 0;
		if (close && inner <= MARKER_MAX)
			k = parse_marker(answer + i + 1, inner, nums);
		if (k == 0) {
			o[w++] = answer[i++];
			continue;
		}
		size_t good = 0;
		for (size_t j = 0; j < k; j++) {
			if (nums[j] >= 1 && (size_t)nums[j] <= npassages) {
				nums[good++] = nums[j];
				note_cited(out, nums[j]);
			} else {
				out->unknown++;
			}
		}
		if (good == k) {
			memcpy(o + w, answer + i, inner + 2); /* as written */
			w += inner + 2;
		} else if (good > 0) {
			o[w++] = '[';
			for (size_t j = 0; j < good; j++)
				w += (size_t)sprintf(o + w, "%s%d", j ? ", " : "", (int)nums[j]);
			o[w++] = ']';
		} else if (w > 0 && o[w - 1] == ' ') {
			w--; /* "text [9]." becomes "text." */
		}
		i += inner + 2;
	}
	o[w] = '\0';
	out->content = o;
	out->len = w;
	return OYL_OK;
}
