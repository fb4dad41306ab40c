/*
 * oyl-demo: opens a database (default: sqlite:oyl-demo.db), migrates it,
 * creates a tenant with its first admin, a user and the assistant
 * hierarchy, and prints each record as JSON.  Then it ingests the
 * Markdown files of DOC_DIR (the project's own doc/) into the knowledge
 * base and asks the assistant QUESTION as the user: the offline
 * extractive answerer's answer is printed as it streams, then its
 * citations.
 *
 *   oyl-demo [URI [DOC_DIR [QUESTION]]]
 */
#include <dirent.h>
#include <oyl/oyl.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static oyl_db *db;

/* Prints the error of a failed call and exits. */
static void check(int rc, const char *what)
{
	if (rc == OYL_OK)
		return;
	fprintf(stderr, "oyl-demo: %s: %s (%s)\n", what,
		db ? oyl_db_errmsg(db) : oyl_last_open_error(), oyl_status_name(rc));
	oyl_db_close(db);
	exit(1);
}

/*
 * A short tag unique to this run: the process id and 32 random bits (from
 * /dev/urandom, else from the clock), e.g. "4242-9f3c01ab". Two runs on the
 * same database never share it, even within one second.
 */
static void run_tag(char *buf, size_t size)
{
	uint32_t rnd = 0;
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f || fread(&rnd, sizeof rnd, 1, f) != 1) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		rnd = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec;
	}
	if (f)
		fclose(f);
	snprintf(buf, size, "%ld-%08lx", (long)getpid(), (unsigned long)rnd);
}

/* Prints a record's JSON export (rc and *json come from its _to_json call). */
static void show(const char *label, int rc, char **json)
{
	check(rc, "exporting JSON");
	printf("%-15s %s\n", label, *json);
	oyl_free(*json);
	*json = NULL;
}

/* Ingests every *.md file of dir into the knowledge base; returns how many. */
static int ingest_docs(oyl_actor *admin, const char *kb, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "oyl-demo: cannot open %s\n", dir);
		return 0;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		oyl_doc_source src = OYL_DOC_SOURCE_INIT;
		src.path = path;
		oyl_document *doc = NULL;
		int rc = oyl_doc_ingest(admin, kb, &src, NULL, &doc);
		if (rc != OYL_OK && rc != OYL_EXISTS)
			check(rc, path);
		printf("ingested        %s: %lld chunks\n", e->d_name,
		       (long long)oyl_document_chunk_count(doc));
		oyl_document_free(doc);
		n++;
	}
	closedir(d);
	return n;
}

/* Prints the answer's events as they come: its text streamed. */
static int print_event(const oyl_chat_event *ev, void *ctx)
{
	(void)ctx;
	if (ev->type == OYL_CHAT_START)
		printf("answer          ");
	else if (ev->type == OYL_CHAT_TOKEN)
		printf("%.*s", (int)ev->length, ev->text);
	else if (ev->type == OYL_CHAT_END)
		printf("\n");
	else if (ev->type == OYL_CHAT_ERROR)
		printf("\n(error: %.*s)\n", (int)ev->length, ev->text);
	fflush(stdout);
	return 0;
}

/* Asks `question` in a new session of the user with the assistant. */
static void ask(oyl_actor *asker, const char *assistant, const char *question)
{
	oyl_chat_session *session;
	check(oyl_chat_session_create(asker, assistant, NULL, &session), "starting a chat session");
	printf("question        %s\n", question);
	oyl_chat_options o = OYL_CHAT_OPTIONS_INIT;
	o.on_event = print_event;
	oyl_chat_reply *reply;
	check(oyl_chat_send(asker, oyl_chat_session_id(session), question, &o, &reply),
	      "asking the assistant");
	for (size_t i = 0; i < oyl_chat_reply_citation_count(reply); i++) {
		const oyl_citation *c = oyl_chat_reply_citation(reply, i);
		char passage[104];
		snprintf(passage, sizeof passage, "%s", oyl_citation_passage(c));
		for (char *p = passage; *p; p++)
			if (*p == '\n')
				*p = ' ';
		printf("citation [%lld]    %s (score %.2f): %s%s\n",
		       (long long)oyl_citation_rank(c), oyl_citation_document_name(c),
		       oyl_citation_score(c), passage,
		       strlen(oyl_citation_passage(c)) > 100 ? "..." : "");
	}
	printf("usage           %lld prompt tokens, %lld answer tokens%s\n",
	       (long long)oyl_chat_reply_prompt_tokens(reply),
	       (long long)oyl_chat_reply_completion_tokens(reply),
	       oyl_chat_reply_tokens_estimated(reply) ? " (estimated)" : "");
	oyl_chat_reply_free(reply);
	oyl_chat_session_free(session);
}

int main(int argc, char **argv)
{
	const char *uri = argc > 1 ? argv[1] : "sqlite:oyl-demo.db";
	oyl_db_options opts = OYL_DB_OPTIONS_INIT;
	opts.flags = OYL_DB_MIGRATE;
	check(oyl_db_open(&db, uri, &opts), "opening the database");
	int version = 0;
	check(oyl_db_schema_version(db, &version), "reading the schema version");
	printf("liboyl %s, %s backend, schema version %d\n", oyl_version(), oyl_db_backend_name(db),
	       version);

	oyl_actor *root;
	check(oyl_actor_superadmin(db, &root), "creating the superadmin actor");

	/* A unique slug and e-mails per run, so the demo can run again on the same file. */
	char tag[32], slug[64], admin_email[96], user_email[96];
	run_tag(tag, sizeof tag);
	snprintf(slug, sizeof slug, "acme-%s", tag);
	snprintf(admin_email, sizeof admin_email, "admin-%s@acme.example", tag);
	snprintf(user_email, sizeof user_email, "ada-%s@acme.example", tag);

	oyl_tenant_options topts = OYL_TENANT_OPTIONS_INIT;
	topts.admin_email = admin_email;
	topts.admin_name = "Acme Admin";
	oyl_tenant *tenant;
	oyl_user *user;
	oyl_workspace *ws;
	oyl_teammate *tm;
	oyl_assistant *as;
	oyl_instruction *ins;
	oyl_knowledge_base *kb;
	char *json;

	check(oyl_tenant_create(root, "Acme Corp", slug, &topts, &tenant), "creating the tenant");
	show("tenant", oyl_tenant_to_json(tenant, &json), &json);
	check(oyl_user_create(root, oyl_tenant_id(tenant), user_email, "Ada Lovelace",
			      OYL_ROLE_USER, &user),
	      "creating a user");
	show("user", oyl_user_to_json(user, &json), &json);
	check(oyl_workspace_create(root, oyl_tenant_id(tenant), "Support", &ws),
	      "creating a workspace");
	show("workspace", oyl_workspace_to_json(ws, &json), &json);
	check(oyl_teammate_create(root, oyl_workspace_id(ws), "Helpdesk",
				  "{\"strategy\":\"first\"}", &tm),
	      "creating a teammate");
	show("teammate", oyl_teammate_to_json(tm, &json), &json);
	check(oyl_assistant_create(root, oyl_teammate_id(tm), "Product expert", &as),
	      "creating an assistant");
	show("assistant", oyl_assistant_to_json(as, &json), &json);
	check(oyl_instruction_set(root, oyl_assistant_id(as),
				  "Answer from the product manuals; cite your sources.", &ins),
	      "setting the instruction");
	show("instruction", oyl_instruction_to_json(ins, &json), &json);
	check(oyl_kb_create(root, oyl_assistant_id(as), "Product manuals", NULL, &kb),
	      "creating a knowledge base");
	show("knowledge base", oyl_kb_to_json(kb, &json), &json);

	const char *doc_dir = argc > 2 ? argv[2] : "doc";
	const char *question = argc > 3 ? argv[3]
					: "How does liboyl keep one tenant from reading another "
					  "tenant's data?";
	if (ingest_docs(root, oyl_kb_id(kb), doc_dir) > 0) {
		oyl_actor *ada;
		check(oyl_actor_for_user(db, oyl_user_id(user), &ada), "acting as the user");
		ask(ada, oyl_assistant_id(as), question);
		oyl_actor_free(ada);
	}

	oyl_kb_free(kb);
	oyl_instruction_free(ins);
	oyl_assistant_free(as);
	oyl_teammate_free(tm);
	oyl_workspace_free(ws);
	oyl_user_free(user);
	oyl_tenant_free(tenant);
	oyl_actor_free(root);
	oyl_db_close(db);
	return 0;
}
