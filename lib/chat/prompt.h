/*
 * The prompt of one answer (doc/prompting.md, which shows the exact text):
 * a system turn holding the assistant's instruction, the rules of
 * citing and the numbered passages; the recent history that fits a token
 * budget (the oldest turns dropped first, never the question); the
 * question.
 */
#ifndef OYL_CHAT_PROMPT_H
#define OYL_CHAT_PROMPT_H

#include "oyl/sys/provider.h"

/* The instruction of an assistant that has none. */
#define OYL__PROMPT_DEFAULT_INSTRUCTION                                                            \
	"You are an assistant that answers questions about the documents of the user's "           \
	"organisation."

/* What every system turn asks, after the instruction. */
#define OYL__PROMPT_RULES                                                                          \
	"Answer the question from the numbered passages below. After each statement, cite the "    \
	"passage it comes from by its number in square brackets, like [1]. If the passages do "    \
	"not answer the question, say that you do not know."

typedef struct oyl__prompt {
	oyl_prompt_turn *turns; /* system, history..., question */
	size_t nturns;
	char *system;           /* turns[0].content, owned */
	size_t history_kept;    /* earlier turns in the prompt */
	size_t history_dropped; /* earlier turns left out by the budget */
	int64_t tokens;         /* the whole prompt's, counted or estimated */
	int estimated;          /* 1: tokens is liboyl's estimate */
} oyl__prompt;

/*
 * Builds the prompt.  `instruction` NULL: the default.  `history`: the
 * session's earlier turns, oldest first; `budget` tokens of them at most
 * (< 0: none).  Tokens are counted by the provider when it can
 * (OYL_PROVIDER_CAP_COUNT_TOKENS), else estimated.  OYL_OK or ENOMEM.
 */
int oyl__prompt_build(oyl_provider *p, const char *model, const char *instruction,
		      const oyl_prompt_passage *passages, size_t npassages,
		      const oyl_prompt_turn *history, size_t nhistory, const char *question,
		      int64_t budget, oyl__prompt *out);
void oyl__prompt_free(oyl__prompt *pr);

/*
 * Tokens of a text, as the provider counts them, else liboyl's estimate:
 * one token per 4 bytes of UTF-8, rounded up.  *estimated (may be NULL)
 * is set to 1 when the estimate was used.
 */
int64_t oyl__tokens_of(oyl_provider *p, const char *model, const char *text, size_t n,
		       int *estimated);

/* Tokens a turn costs beyond its text (its role, the separators): the
 * figure of OpenAI's chat format, used for every provider. */
#define OYL__TURN_TOKENS 4

#endif
