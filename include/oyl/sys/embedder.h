/*
 * liboyl — embedder interface (the extender API), and the built-in
 * OpenAI-compatible HTTP embedder.
 *
 * UNSTABLE until liboyl 1.0: the headers under oyl/sys/ may change
 * between minor versions.  Hosts never need them, and oyl/oyl.h never
 * includes one.
 *
 * An embedder turns texts into vectors of floats.  The core calls it with
 * no transaction open (doc/conventions.md, long calls), from one thread at
 * a time: an embedder needs no locking of its own, but two threads need
 * two embedders.  It never sees who asked, nor any tenant's records
 * beyond the texts it is given.
 *
 * Growth rule: struct oyl_embedder only grows at its end, gated by its
 * `version` field; the core never reads a field or calls a method that
 * the embedder's version lacks.  Capability bits are never renumbered.
 * doc/embedders.md describes the interface and the HTTP embedder.
 */
#ifndef OYL_SYS_EMBEDDER_H
#define OYL_SYS_EMBEDDER_H

#include "../oyl.h"
#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OYL_EMBEDDER_VERSION 1

/** Capabilities (oyl_embedder.caps). */
#define OYL_EMBEDDER_CAP_BATCH 0x01u /**< embeds several texts per call */

typedef struct oyl_embedder oyl_embedder;

/**
 * An embedder.  Fill it with OYL_EMBEDDER_INIT and set the methods; all
 * of them are required in version 1.
 *
 * Methods that can fail return an oyl_status: OYL_OK, OYL_EINVAL for
 * arguments the embedder refuses, OYL_ENOMEM, OYL_ETIMEOUT when the
 * service did not answer in time, or OYL_EREMOTE when it failed or
 * answered something unusable.  After a failure, errmsg() describes it
 * and never quotes a credential.  A failure leaves the embedder usable.
 */
struct oyl_embedder {
	unsigned int version; /**< OYL_EMBEDDER_VERSION the embedder was built against */
	const char *name;     /**< "openai", "test", ... (static) */
	uint32_t caps;        /**< OYL_EMBEDDER_CAP_* */

	/**
	 * The model's name (a stable string owned by the embedder).  The core
	 * stores it with every vector, so that a change of model marks the
	 * vectors made by the old one stale.
	 */
	const char *(*model)(oyl_embedder *e);

	/**
	 * The dimension of the vectors; 0 until known (the HTTP embedder
	 * learns it from its first answer unless it was configured).  Once
	 * known it never changes: an answer of another dimension is an error.
	 */
	uint32_t (*dimension)(oyl_embedder *e);

	/**
	 * Embeds texts[0..n) (lens[i] bytes each, UTF-8, not necessarily
	 * NUL-terminated) into out[i * dim .. (i + 1) * dim) as float32, where
	 * dim is dimension() after the call.  `out_len` is the number of
	 * floats `out` holds; a caller that does not know the dimension yet
	 * calls with one text first.  Too small an `out` is OYL_EINVAL, and
	 * `out` is unspecified after any failure.  Vectors need not be
	 * L2-normalised.
	 */
	int (*embed)(oyl_embedder *e, const char *const *texts, const size_t *lens, size_t n,
		     float *out, size_t out_len);

	/** The most texts per embed() call the embedder wants (>= 1). */
	size_t (*batch_size)(oyl_embedder *e);

	/** The message of the last failure ("" when none; owned by the embedder). */
	const char *(*errmsg)(oyl_embedder *e);

	/** Frees the embedder and everything it holds. */
	void (*free)(oyl_embedder *e);
};

#define OYL_EMBEDDER_INIT {OYL_EMBEDDER_VERSION, "", 0, 0, 0, 0, 0, 0, 0}

/** Calls e->free(e); NULL is fine. */
OYL_API void oyl_embedder_free(oyl_embedder *e);

/**
 * Registers `e` on the handle as `name` (1 to 64 ASCII letters, digits,
 * '.', '_' or '-'), the name a knowledge base gives with
 * oyl_kb_set_embedder().  On OYL_OK the handle owns `e` and frees it when
 * it closes; a second embedder under the same name replaces (and frees)
 * the first.  Every handle that processes or searches the knowledge
 * base's documents registers an embedder under its name: a worker on
 * another machine included.  OYL_EINVAL for a bad name, an incomplete
 * embedder or a 17th name; on failure the caller still owns `e`.
 */
OYL_API int oyl_db_add_embedder(oyl_db *db, const char *name, oyl_embedder *e);

/* ---- the OpenAI-compatible HTTP embedder ---------------------------- */

/**
 * Options of oyl_http_embedder_new().  Initialise with
 * OYL_HTTP_EMBEDDER_OPTIONS_INIT; a field left 0 takes its default.
 */
typedef struct oyl_http_embedder_options {
	uint32_t size; /**< sizeof(oyl_http_embedder_options) */
	/**
	 * The server, "http://..." or "https://...", e.g.
	 * "http://127.0.0.1:11434".  Requests are POSTed to base_url +
	 * "/v1/embeddings" ("/embeddings" when base_url already ends in /v1).
	 */
	const char *base_url;
	const char *model; /**< required, sent as "model" */
	/** Optional: sent as "Authorization: Bearer <key>"; never in a message. */
	const char *api_key;
	/** 0: learned from the first answer; else an answer of another dimension is OYL_EREMOTE. */
	uint32_t dimension;
	uint32_t batch_size;         /**< texts per request; 0: 64 */
	int32_t connect_timeout_ms;  /**< 0: 5000 */
	int32_t timeout_ms;          /**< total per HTTP request (one attempt); 0: 60000 */
	/** Retries of a request after 429, 5xx or a failed connection; -1: 3. */
	int32_t max_retries;
	/**
	 * Wait before the first retry; 0: 500.  Doubled each retry; a
	 * Retry-After header (seconds) wins when present; capped at 30 s.
	 */
	int32_t backoff_ms;
} oyl_http_embedder_options;

#define OYL_HTTP_EMBEDDER_OPTIONS_INIT                                                             \
	{sizeof(oyl_http_embedder_options), NULL, NULL, NULL, 0, 0, 0, 0, -1, 0}

/**
 * Makes an embedder that speaks the OpenAI embeddings API (OpenAI,
 * Ollama, vLLM, llama.cpp's server, ...).  Nothing is sent until the
 * first embed().  On failure `*out` is NULL and, when errbuf is not NULL,
 * a message is written there: OYL_EINVAL for bad options (the message
 * names the field), OYL_ENOTSUP when liboyl was built without libcurl,
 * OYL_ENOMEM.  Free the embedder with oyl_embedder_free().
 */
OYL_API int oyl_http_embedder_new(const oyl_http_embedder_options *opts, oyl_embedder **out,
				  char *errbuf, size_t errbuf_size);

#ifdef __cplusplus
}
#endif
#endif /* OYL_SYS_EMBEDDER_H */
