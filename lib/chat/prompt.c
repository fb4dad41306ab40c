/* The prompt of one answer (prompt.h, doc/prompting.md). */
#include "chat/prompt.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

int64_t oyl__tokens_of(oyl_provider *p, const char *model, const char *text, size_t n,
		       int *estimated)
{
	if (p && (p->caps & OYL_PROVIDER_CAP_COUNT_TOKENS) && p->count_tokens) {
		int64_t t = p->count_tokens(p, model, text, n);
		if (t >= 0)
			return t;
	}
	if (estimated)
		*estimated = 1;
	return (int64_t)((n + 3) / 4);
}

/* The system turn: instruction, rules, numbered passages. */
static char *system_text(const char *instruction, const oyl_prompt_passage *ps, size_t np)
{
	size_t room = strlen(instruction) + sizeof OYL__PROMPT_RULES + 64;
	for (size_t i = 0; i < np; i++)
		room += strlen(ps[i].document_name) + strlen(ps[i].text) + 64;
	char *s = oyl__malloc(room);
	if (!s)
		return NULL;
	size_t o =
		(size_t)snprintf(s, room, "%s\n\n%s\n\nPassages:", instruction, OYL__PROMPT_RULES);
	if (np == 0)
		o += (size_t)snprintf(s + o, room - o, " none were found for this question.");
	for (size_t i = 0; i < np; i++) {
		o += (size_t)snprintf(s + o, room - o, "\n\n[%d] %s", (int)ps[i].number,
				      ps[i].document_name);
		if (ps[i].page > 0)
			o += (size_t)snprintf(s + o, room - o, ", page %lld",
					      (long long)ps[i].page);
		o += (size_t)snprintf(s + o, room - o, "\n%s", ps[i].text);
	}
	return s;
}

int oyl__prompt_build(oyl_provider *p, const char *model, const char *instruction,
		      const oyl_prompt_passage *passages, size_t npassages,
		      const oyl_prompt_turn *history, size_t nhistory, const char *question,
		      int64_t budget, oyl__prompt *out)
{
	memset(out, 0, sizeof *out);
	out->system = system_text(instruction ? instruction : OYL__PROMPT_DEFAULT_INSTRUCTION,
				  passages, npassages);
	out->turns = oyl__calloc(nhistory + 2, sizeof *out->turns);
	if (!out->system || !out->turns) {
		oyl__prompt_free(out);
		return OYL_ENOMEM;
	}
	int est = 0;
	int64_t tokens = oyl__tokens_of(p, model, out->system, strlen(out->system), &est) +
			 oyl__tokens_of(p, model, question, strlen(question), &est) +
			 2 * OYL__TURN_TOKENS;
	/* the newest turns that fit the budget, walking back in time */
	size_t first = nhistory;
	int64_t spent = 0;
	while (budget >= 0 && first > 0) {
		const char *c = history[first - 1].content;
		int64_t t = oyl__tokens_of(p, model, c, strlen(c), &est) + OYL__TURN_TOKENS;
		if (spent + t > budget)
			break;
		spent += t;
		first--;
	}
	out->turns[0] = (oyl_prompt_turn){"system", out->system};
	for (size_t i = first; i < nhistory; i++)
		out->turns[1 + i - first] = history[i];
	out->history_kept = nhistory - first;
	out->history_dropped = first;
	out->turns[1 + out->history_kept] = (oyl_prompt_turn){"user", question};
	out->nturns = out->history_kept + 2;
	out->tokens = tokens + spent;
	out->estimated = est;
	return OYL_OK;
}

void oyl__prompt_free(oyl__prompt *pr)
{
	oyl__free(pr->system);
	oyl__free(pr->turns);
	memset(pr, 0, sizeof *pr);
}
