/*
 * liboyl — LLM-provider interface (the extender API), and the built-in
 * providers: the offline extractive answerer and the OpenAI-compatible
 * chat-completions client.
 *
 * UNSTABLE until liboyl 1.0: the headers under oyl/sys/ may change
 * between minor versions.  Hosts never need them, and oyl/oyl.h never
 * includes one.
 *
 * A provider answers one chat turn: given the assembled prompt (and, for
 * providers that work without a model, the question and the numbered
 * passages it was built from), it produces the answer's text, handing
 * each piece to a callback as it comes.  The core calls it with no
 * transaction open (doc/conventions.md, long calls), from one thread at
 * a time: a provider needs no locking of its own, but two threads need two
 * providers.  It never sees who asked nor any record beyond the request.
 *
 * Growth rule: struct oyl_provider and struct oyl_provider_request only
 * grow at their end, gated by `version` and `size`; the core never reads
 * a field or calls a method that the provider's version lacks.
 * Capability bits are never renumbered.  doc/prompting.md describes the
 * interface, the prompt and both built-in providers.
 */
#ifndef OYL_SYS_PROVIDER_H
#define OYL_SYS_PROVIDER_H

#include "../oyl.h"
#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OYL_PROVIDER_VERSION 1

/** Capabilities (oyl_provider.caps). */
#define OYL_PROVIDER_CAP_STREAM 0x01u       /**< delivers the answer in several pieces */
#define OYL_PROVIDER_CAP_COUNT_TOKENS 0x02u /**< count_tokens() is set */

/** One message of the prompt. */
typedef struct oyl_prompt_turn {
	const char *role;    /**< "system", "user" or "assistant" */
	const char *content; /**< UTF-8, NUL-terminated */
} oyl_prompt_turn;

/** One retrieved passage, numbered as the prompt numbers it ([1], [2], ...). */
typedef struct oyl_prompt_passage {
	int32_t number;            /**< 1-based, the n of its [n] marker */
	const char *document_name; /**< the document's original name */
	const char *text;          /**< the passage, UTF-8, NUL-terminated */
	double score;              /**< the search's score */
	int64_t page;              /**< 0: none */
} oyl_prompt_passage;

/** What the provider is asked. */
typedef struct oyl_provider_request {
	uint32_t size; /**< sizeof(oyl_provider_request) as the core built it */
	/** The model the assistant names; NULL: the provider's own default. */
	const char *model;
	/**
	 * The assistant's provider options, a JSON object ("temperature",
	 * "max_tokens", ...), or NULL.  A provider ignores keys it does not
	 * know.
	 */
	const char *options;
	/** The assembled prompt, in order: system, history, question. */
	const oyl_prompt_turn *turns;
	size_t nturns;
	/** The passages the system turn numbers (also inside turns[0]). */
	const oyl_prompt_passage *passages;
	size_t npassages;
	/** The user's question (also the last turn). */
	const char *question;
} oyl_provider_request;

/** Token counts of one answer; -1 where the provider does not know. */
typedef struct oyl_provider_usage {
	int64_t prompt_tokens;
	int64_t completion_tokens;
} oyl_provider_usage;

/**
 * Receives a piece of the answer (`n` bytes of UTF-8, whole characters,
 * not NUL-terminated).  Returns 0 to go on; anything else asks the
 * provider to stop: it returns OYL_ECANCELED at once, without retrying.
 */
typedef int (*oyl_provider_delta_fn)(const char *text, size_t n, void *ctx);

typedef struct oyl_provider oyl_provider;

/**
 * A provider.  Fill it with OYL_PROVIDER_INIT and set the methods;
 * count_tokens is required only with OYL_PROVIDER_CAP_COUNT_TOKENS.
 *
 * Methods that can fail return an oyl_status: OYL_OK; OYL_ECANCELED when
 * the callback asked to stop; OYL_EINVAL for a request the provider
 * refuses (its message names why); OYL_ENOMEM; OYL_ETIMEOUT when the
 * service did not answer in time; OYL_EREMOTE when it failed or answered
 * something unusable.  After a failure errmsg() describes it and never
 * quotes a credential.  A failure leaves the provider usable.
 */
struct oyl_provider {
	unsigned int version; /**< OYL_PROVIDER_VERSION the provider was built against */
	const char *name;     /**< "extractive", "openai", ... (static) */
	uint32_t caps;        /**< OYL_PROVIDER_CAP_* */

	/**
	 * Answers the request, passing the answer's text to `on_delta` piece
	 * by piece (their concatenation is the answer), and fills `usage`.
	 * Retries, if any, happen only before the first piece was passed.
	 */
	int (*complete)(oyl_provider *p, const oyl_provider_request *req,
			oyl_provider_delta_fn on_delta, void *ctx, oyl_provider_usage *usage);

	/** Tokens of `text` for `model` (NULL: the default); < 0 on failure. */
	int64_t (*count_tokens)(oyl_provider *p, const char *model, const char *text, size_t n);

	/** The message of the last failure ("" when none; owned by the provider). */
	const char *(*errmsg)(oyl_provider *p);

	/** Frees the provider and everything it holds. */
	void (*free)(oyl_provider *p);
};

#define OYL_PROVIDER_INIT {OYL_PROVIDER_VERSION, "", 0, 0, 0, 0, 0}

/** Calls p->free(p); NULL is fine. */
OYL_API void oyl_provider_free(oyl_provider *p);

/**
 * Registers `p` on the handle as `name` (1 to 64 ASCII letters, digits,
 * '.', '_' or '-'), the name an assistant gives with
 * oyl_assistant_set_provider().  On OYL_OK the handle owns `p` and frees
 * it when it closes; a second provider under the same name replaces (and
 * frees) the first.  "extractive" is built in and needs no registration;
 * registering another provider under that name replaces it on this
 * handle.  OYL_EINVAL for a bad name, an incomplete provider or a 17th
 * name; on failure the caller still owns `p`.
 */
OYL_API int oyl_db_add_provider(oyl_db *db, const char *name, oyl_provider *p);

/* ---- the offline extractive answerer -------------------------------- */

/**
 * Makes the offline answerer: deterministic, no network.  It answers with
 * the sentences of the passages that share the most terms with the
 * question, each followed by the [n] marker of its passage, and says
 * plainly that the knowledge base has nothing on the question when no
 * passage shares a term with it (doc/prompting.md).
 */
OYL_API int oyl_extractive_provider_new(oyl_provider **out);

/* ---- the OpenAI-compatible chat-completions provider ---------------- */

/**
 * Options of oyl_http_provider_new().  Initialise with
 * OYL_HTTP_PROVIDER_OPTIONS_INIT; a field left as it sets takes its
 * default (0 for most, but -1 for temperature and max_retries, where 0
 * means a temperature of 0 and no retries).
 */
typedef struct oyl_http_provider_options {
	uint32_t size; /**< sizeof(oyl_http_provider_options) */
	/**
	 * The server, "http://..." or "https://...".  Requests are POSTed to
	 * base_url + "/v1/chat/completions" ("/chat/completions" when
	 * base_url already ends in /v1).
	 */
	const char *base_url;
	/** The model when the assistant names none; required unless every assistant names one. */
	const char *model;
	/** Optional: sent as "Authorization: Bearer <key>"; never in a message. */
	const char *api_key;
	/** Default sampling temperature; < 0: the server's default (-1). */
	double temperature;
	int32_t max_tokens;         /**< default answer bound; 0: the server's default */
	int32_t connect_timeout_ms; /**< 0: 5000 */
	int32_t timeout_ms;         /**< total per HTTP request (one attempt); 0: 120000 */
	/** Retries after 429, 5xx or a failed connection, before any token; -1: 3. */
	int32_t max_retries;
	/** Wait before the first retry; 0: 500.  Doubled each retry; Retry-After wins; capped at 30 s. */
	int32_t backoff_ms;
} oyl_http_provider_options;

#define OYL_HTTP_PROVIDER_OPTIONS_INIT                                                             \
	{sizeof(oyl_http_provider_options), NULL, NULL, NULL, -1.0, 0, 0, 0, -1, 0}

/**
 * Makes a provider that speaks the OpenAI chat-completions API with
 * stream=true (OpenAI, Ollama, vLLM, llama.cpp's server, ...).  Nothing is
 * sent until the first complete().  On failure `*out` is NULL and, when
 * errbuf is not NULL, a message is written there: OYL_EINVAL for bad
 * options (the message names the field), OYL_ENOTSUP when liboyl was
 * built without libcurl, OYL_ENOMEM.  Free it with oyl_provider_free().
 */
OYL_API int oyl_http_provider_new(const oyl_http_provider_options *opts, oyl_provider **out,
				  char *errbuf, size_t errbuf_size);

#ifdef __cplusplus
}
#endif
#endif /* OYL_SYS_PROVIDER_H */
