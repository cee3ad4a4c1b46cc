/* unifw identity backup | list | prune | show: the identity vault and identity health (docs/identity.md).
 * backup makes a vault entry of the connected phone; list shows phones and entries (every entry verified
 * against its manifest, a damaged one marked); prune frees space under the vault's one rule (never a
 * phone's oldest nor its newest entry); show judges the identity of a phone, a backup folder or an
 * nvram.bin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/jobs.h"
#include "unifw/hash.h"
#include "unifw/human.h"
#include "unifw/idhealth.h"
#include "unifw/io.h"
#include "unifw/identify.h"
#include "unifw/vault.h"

#define DEFAULT_KEEP 5u

static const char *const exit_line = "exit status: 0 ok, 1 failed, 2 usage\n";

/* ---------------------------------------------------------------- backup */

static void backup_usage(FILE *out)
{
	fprintf(out,
		"usage: unifw identity backup [--json] [phone options]\n\n"
		"A new vault entry of the connected phone: its preloader, NVRAM, PRO_INFO, PROTECT_F and PROTECT_S\n"
		"(each read twice and compared) and the /nvram folder of USRDATA, with SHA-256s in manifest.json.\n"
		"The entry goes to STATE/identity/<CID>/identity-<UTC stamp>; its path is printed.\n\n"
		"  --json              JSON event lines on stdout, the result last\n"
		"%s\n%s",
		cli_phone_usage, exit_line);
}

struct backup_run {
	const struct cli_progress *prog;
	struct unifw_vault_backup_opts o;
	char entry[UNIFW_VAULT_PATH];
	struct unifw_jv *manifest;
};

static int backup_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct backup_run *r = ctx;
	return unifw_vault_backup(ph, &r->o, r->entry, sizeof r->entry, &r->manifest, err);
}

enum { OPT_JSON = CLI_OPT_OWN, OPT_CID, OPT_KEEP, OPT_DRY_RUN, OPT_YES, OPT_BACKUP };

static const struct option backup_longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

static size_t tree_files(const struct unifw_jv *m)
{
	const struct unifw_jv *t = unifw_jv_path(m, "vault.nvram_tree");
	size_t n = 0;
	for (size_t i = 0; t && i < unifw_jv_len(t); i++) {
		const char *k = unifw_jv_str(unifw_jv_get(unifw_jv_at(t, i), "kind"));
		n += k && !strcmp(k, "file");
	}
	return n;
}

/* The --json result: what the entry holds (its manifest.json is the file format, docs/identity.md). */
static struct unifw_jv *backup_result(const struct backup_run *r)
{
	struct unifw_jv *res = unifw_jv_object();
	const struct unifw_jv *tree = unifw_jv_path(r->manifest, "vault.nvram_tree");
	const char *note = unifw_jv_str(unifw_jv_path(r->manifest, "vault.nvram_tree_note"));
	unifw_jv_set_str(res, "type", "vault_backup");
	unifw_jv_set_str(res, "entry", r->entry);
	unifw_jv_set_str(res, "reason", r->o.reason);
	unifw_jv_set_str(res, "created", unifw_jv_str(unifw_jv_get(r->manifest, "created")));
	unifw_jv_set_uint(res, "images", unifw_jv_len(unifw_jv_get(r->manifest, "partitions")));
	unifw_jv_set_bool(res, "nvram_tree", tree && unifw_jv_type(tree) == UNIFW_JV_ARRAY);
	unifw_jv_set_uint(res, "nvram_tree_files", tree_files(r->manifest));
	if (note)
		unifw_jv_set_str(res, "nvram_tree_note", note);
	return res;
}

int cmd_identity_backup(int argc, char **argv)
{
	struct cli_phone_args pa = {0};
	bool json = false;
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, "identity backup", argc, argv, "h" CLI_PHONE_SHORTOPTS, backup_longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, &pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		if (c == OPT_JSON)
			json = true;
		else if (c == 'h') {
			backup_usage(stdout);
			return CLI_OK;
		} else
			return cli_usage_error("identity backup", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	if (g.optind < argc)
		return cli_usage_error("identity backup", "unexpected argument '%s'", argv[g.optind]);
	struct cli_progress prog;
	cli_progress_init(&prog, json);
	struct backup_run run = {.o = {.reason = "manual", .progress = cli_progress_cb(&prog)}};
	struct unifw_job job;
	cli_job_init(&job, "identity backup", &pa, cli_progress_cb(&prog));
	job.run = backup_job;
	job.ctx = &run;
	run.o.cancel = job.cancel;
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc = unifw_job_run(&job, &err);
	if (json) {
		struct unifw_jv *res = NULL;
		if (rc == 0) {
			res = backup_result(&run);
		}
		int code = cli_json_result(res, rc < 0 ? &err : NULL);
		unifw_jv_free(res);
		unifw_jv_free(run.manifest);
		return cli_job_exit(rc, code);
	}
	if (rc < 0) {
		unifw_jv_free(run.manifest);
		return cli_job_exit(rc, cli_error(&err));
	}
	const struct unifw_jv *tree = unifw_jv_path(run.manifest, "vault.nvram_tree");
	fprintf(stderr, "Identity backup complete: %zu images%s", unifw_jv_len(unifw_jv_get(run.manifest, "partitions")),
		tree && unifw_jv_type(tree) == UNIFW_JV_ARRAY ? "" : "\n");
	if (tree && unifw_jv_type(tree) == UNIFW_JV_ARRAY)
		fprintf(stderr, " and %zu files of /data/nvram\n", tree_files(run.manifest));
	else
		fprintf(stderr, "  %s\n", unifw_jv_str(unifw_jv_path(run.manifest, "vault.nvram_tree_note")));
	printf("%s\n", run.entry);
	unifw_jv_free(run.manifest);
	return CLI_OK;
}

/* ---------------------------------------------------------------- list */

static void list_usage(FILE *out)
{
	fprintf(out,
		"usage: unifw identity list [--cid HEX] [--json]\n\n"
		"The phones of the identity vault (STATE/identity) and their entries, oldest first: name, when it was\n"
		"made, why (flash, format, restore, manual, ...), size, whether it holds the /data/nvram tree, and its\n"
		"state: every entry is checked against its manifest's SHA-256s; a damaged or unfinished entry is\n"
		"marked and is never used.\n\n"
		"  --cid HEX           only this phone (its eMMC CID, 32 hex digits)\n"
		"  --json              one JSON document on stdout\n\n"
		"exit status: 0 ok, 1 failed, 2 usage, 3 a damaged entry was found\n");
}

static const struct option list_longopts[] = {
	{"cid", required_argument, NULL, OPT_CID},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

static bool parse_cid(const char *s, uint8_t cid[16])
{
	return strlen(s) == 32 && unifw_unhex(s, cid, 16);
}

static struct unifw_jv *entry_json(const struct unifw_vault_entry *e, bool *damaged)
{
	struct unifw_jv *o = unifw_jv_object();
	struct unifw_error err;
	unifw_error_clear(&err);
	unifw_jv_set_str(o, "type", "vault_entry");
	unifw_jv_set_str(o, "name", e->name);
	unifw_jv_set_str(o, "path", e->path);
	unifw_jv_set_str(o, "created", e->created);
	unifw_jv_set_str(o, "reason", e->reason[0] ? e->reason : "unknown");
	unifw_jv_set_uint(o, "bytes", e->bytes);
	unifw_jv_set_bool(o, "nvram_tree", e->has_nvram_tree);
	unifw_jv_set_bool(o, "complete", e->complete);
	bool ok = unifw_vault_entry_verify(e->path, &err) == 0;
	unifw_jv_set_str(o, "state", ok ? "ok" : e->complete ? "damaged" : "incomplete");
	if (!ok) {
		unifw_jv_set_str(o, "problem", err.msg);
		*damaged = true;
	}
	return o;
}

static struct unifw_jv *phone_json(const struct unifw_vault_phone *p, bool *damaged)
{
	struct unifw_jv *o = unifw_jv_object();
	uint8_t cid[16];
	unifw_jv_set_str(o, "type", "vault_phone");
	unifw_jv_set_str(o, "cid", p->cid);
	if (unifw_unhex(p->cid, cid, 16))
		unifw_cid_to_json(cid, unifw_jv_set_obj(o, "cid_decoded"));
	struct unifw_jv *arr = unifw_jv_set_arr(o, "entries");
	for (size_t i = 0; i < p->count; i++)
		unifw_jv_push(arr, entry_json(&p->entries[i], damaged));
	unifw_jv_set_uint(o, "entry_count", p->count);
	unifw_jv_set_uint(o, "bytes", p->bytes);
	return o;
}

static void print_list(const struct unifw_jv *doc)
{
	const struct unifw_jv *phones = unifw_jv_get(doc, "phones");
	char size[32];
	printf("Identity vault: %s\n", unifw_jv_str(unifw_jv_get(doc, "root")));
	for (size_t i = 0; i < unifw_jv_len(phones); i++) {
		const struct unifw_jv *p = unifw_jv_at(phones, i), *d = unifw_jv_get(p, "cid_decoded");
		const char *man = unifw_jv_str(unifw_jv_get(d, "manufacturer"));
		unifw_human_size(unifw_jv_u64(unifw_jv_get(p, "bytes")), size, sizeof size);
		printf("\nphone %s  (eMMC %s%s%s, product %s, serial %s)  %zu entries, %s\n",
		       unifw_jv_str(unifw_jv_get(p, "cid")), unifw_jv_str(unifw_jv_get(d, "manufacturer_id")),
		       man ? " " : "", man ? man : "", unifw_jv_str(unifw_jv_get(d, "product")),
		       unifw_jv_str(unifw_jv_get(d, "serial")), (size_t)unifw_jv_u64(unifw_jv_get(p, "entry_count")), size);
		const struct unifw_jv *es = unifw_jv_get(p, "entries");
		for (size_t k = 0; k < unifw_jv_len(es); k++) {
			const struct unifw_jv *e = unifw_jv_at(es, k);
			const char *state = unifw_jv_str(unifw_jv_get(e, "state"));
			unifw_human_size(unifw_jv_u64(unifw_jv_get(e, "bytes")), size, sizeof size);
			printf("  %-28s %-20s %-11s %9s  nvram tree: %-3s  %s\n", unifw_jv_str(unifw_jv_get(e, "name")),
			       unifw_jv_str(unifw_jv_get(e, "created")), unifw_jv_str(unifw_jv_get(e, "reason")), size,
			       unifw_jv_truthy(unifw_jv_get(e, "nvram_tree")) ? "yes" : "no",
			       strcmp(state, "ok") ? "DAMAGED" : "ok");
			if (strcmp(state, "ok"))
				printf("      %s\n", unifw_jv_str(unifw_jv_get(e, "problem")));
		}
	}
	const struct unifw_jv *t = unifw_jv_get(doc, "totals");
	unifw_human_size(unifw_jv_u64(unifw_jv_get(t, "bytes")), size, sizeof size);
	printf("\n%llu phone(s), %llu entries, %s\n", (unsigned long long)unifw_jv_u64(unifw_jv_get(t, "phones")),
	       (unsigned long long)unifw_jv_u64(unifw_jv_get(t, "entries")), size);
}

int cmd_identity_list(int argc, char **argv)
{
	bool json = false;
	const char *cid_arg = NULL;
	uint8_t cid[16];
	struct cli_getopt g;
	int c;
	cli_getopt_init(&g, "identity list", argc, argv, "h", list_longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR)
			return CLI_USAGE;
		if (c == OPT_JSON)
			json = true;
		else if (c == OPT_CID)
			cid_arg = g.arg;
		else if (c == 'h') {
			list_usage(stdout);
			return CLI_OK;
		} else
			return cli_usage_error("identity list", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	if (g.optind < argc)
		return cli_usage_error("identity list", "unexpected argument '%s'", argv[g.optind]);
	if (cid_arg && !parse_cid(cid_arg, cid))
		return cli_usage_error("identity list", "--cid takes the eMMC CID as 32 hex digits, not '%s'", cid_arg);
	char root[UNIFW_VAULT_PATH], hex[33] = "";
	struct unifw_error err;
	unifw_error_clear(&err);
	struct unifw_vault_phone *phones = NULL;
	size_t n = 0;
	if (unifw_vault_root(root, sizeof root, &err) < 0 || unifw_vault_list(NULL, &phones, &n, &err) < 0)
		return cli_error(&err);
	if (cid_arg)
		unifw_hex(cid, 16, hex);
	struct unifw_jv *doc = unifw_jv_object();
	unifw_jv_set_str(doc, "type", "identity_vault");
	unifw_jv_set_str(doc, "root", root);
	struct unifw_jv *arr = unifw_jv_set_arr(doc, "phones");
	uint64_t bytes = 0, entries = 0, shown = 0;
	bool damaged = false;
	for (size_t i = 0; i < n; i++) {
		if (cid_arg && strcmp(phones[i].cid, hex))
			continue;
		unifw_jv_push(arr, phone_json(&phones[i], &damaged));
		bytes += phones[i].bytes;
		entries += phones[i].count;
		shown++;
	}
	struct unifw_jv *t = unifw_jv_set_obj(doc, "totals");
	unifw_jv_set_str(t, "type", "vault_totals");
	unifw_jv_set_uint(t, "phones", shown);
	unifw_jv_set_uint(t, "entries", entries);
	unifw_jv_set_uint(t, "bytes", bytes);
	unifw_jv_set_bool(doc, "damaged_entries", damaged);
	if (json)
		cli_print_json(doc);
	else
		print_list(doc);
	unifw_jv_free(doc);
	unifw_vault_list_free(phones, n);
	return damaged ? CLI_FINDINGS : CLI_OK;
}

/* ---------------------------------------------------------------- prune */

static void prune_usage(FILE *out)
{
	fprintf(out,
		"usage: unifw identity prune [--cid HEX] [--keep N] [--dry-run] [--yes] [--json]\n\n"
		"Free space in the identity vault: delete a phone's entries, oldest first, until N remain (default %u;\n"
		"below 2 acts as 2). A phone's OLDEST entry (the phone as unifw first saw it) and its NEWEST are never\n"
		"deleted, whatever the options; nothing else in unifw deletes a vault entry.\n\n"
		"  --cid HEX           only this phone (its eMMC CID, 32 hex digits)\n"
		"  --keep N            entries to keep per phone\n"
		"  --dry-run           only say what would be deleted\n"
		"  --yes               delete (without it, nothing is deleted and the command fails)\n"
		"  --json              one JSON document on stdout\n\n%s",
		DEFAULT_KEEP, exit_line);
}

static const struct option prune_longopts[] = {
	{"cid", required_argument, NULL, OPT_CID},
	{"keep", required_argument, NULL, OPT_KEEP},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"yes", no_argument, NULL, OPT_YES},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

struct prune_args {
	const char *cid_arg;
	uint8_t cid[16];
	size_t keep;
	bool dry_run, yes, json;
};

static int prune_parse(int argc, char **argv, struct prune_args *a)
{
	struct cli_getopt g;
	int c;
	char *end;
	cli_getopt_init(&g, "identity prune", argc, argv, "h", prune_longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		switch (c) {
		case CLI_OPT_ERROR: return CLI_USAGE;
		case OPT_CID: a->cid_arg = g.arg; break;
		case OPT_KEEP:
			a->keep = (size_t)strtoul(g.arg, &end, 10);
			if (!*g.arg || *end || g.arg[0] == '-' || a->keep > 100000)
				return cli_usage_error("identity prune", "--keep takes a number of entries, not '%s'", g.arg);
			break;
		case OPT_DRY_RUN: a->dry_run = true; break;
		case OPT_YES: a->yes = true; break;
		case OPT_JSON: a->json = true; break;
		case 'h': prune_usage(stdout); return -1;
		default: return cli_usage_error("identity prune", "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	if (g.optind < argc)
		return cli_usage_error("identity prune", "unexpected argument '%s'", argv[g.optind]);
	if (a->cid_arg && !parse_cid(a->cid_arg, a->cid))
		return cli_usage_error("identity prune", "--cid takes the eMMC CID as 32 hex digits, not '%s'", a->cid_arg);
	return 0;
}

/* The plan as a document (what goes, what stays), before anything is deleted. */
static struct unifw_jv *prune_plan(const struct unifw_vault_phone *phones, size_t n, const struct prune_args *a,
				   uint64_t *count, uint64_t *bytes)
{
	struct unifw_jv *doc = unifw_jv_object(), *arr;
	char hex[33] = "";
	if (a->cid_arg)
		unifw_hex(a->cid, 16, hex);
	unifw_jv_set_str(doc, "type", "identity_prune");
	unifw_jv_set_bool(doc, "dry_run", a->dry_run || !a->yes);
	unifw_jv_set_uint(doc, "keep", a->keep < 2 ? 2 : a->keep);
	arr = unifw_jv_set_arr(doc, "phones");
	*count = *bytes = 0;
	for (size_t i = 0; i < n; i++) {
		const struct unifw_vault_phone *p = &phones[i];
		if (a->cid_arg && strcmp(p->cid, hex))
			continue;
		bool *del = calloc(p->count ? p->count : 1, sizeof *del);
		if (!del)
			continue;
		unifw_vault_prune_select(p, a->keep, del);
		struct unifw_jv *o = unifw_jv_push_obj(arr), *gone = NULL, *kept = NULL;
		unifw_jv_set_str(o, "type", "prune_phone");
		unifw_jv_set_str(o, "cid", p->cid);
		gone = unifw_jv_set_arr(o, "deleted");
		kept = unifw_jv_set_arr(o, "kept");
		for (size_t k = 0; k < p->count; k++) {
			struct unifw_jv *e = unifw_jv_push_obj(del[k] ? gone : kept);
			unifw_jv_set_str(e, "type", "prune_entry");
			unifw_jv_set_str(e, "name", p->entries[k].name);
			unifw_jv_set_uint(e, "bytes", p->entries[k].bytes);
			if (del[k]) {
				(*count)++;
				*bytes += p->entries[k].bytes;
			}
		}
		free(del);
	}
	return doc;
}

int cmd_identity_prune(int argc, char **argv)
{
	struct prune_args a = {.keep = DEFAULT_KEEP};
	int prc = prune_parse(argc, argv, &a);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	struct unifw_error err;
	unifw_error_clear(&err);
	struct unifw_vault_phone *phones = NULL;
	size_t n = 0;
	if (unifw_vault_list(NULL, &phones, &n, &err) < 0)
		return cli_error(&err);
	uint64_t count, bytes;
	struct unifw_jv *doc = prune_plan(phones, n, &a, &count, &bytes);
	unifw_vault_list_free(phones, n);
	int code = CLI_OK;
	struct unifw_vault_prune_result res = {0};
	if (count && !a.dry_run && !a.yes) {
		unifw_error_set(&err, UNIFW_E_INVALID, "identity prune", UNIFW_NO_OFFSET,
				"%llu vault entries would be deleted: add --yes to delete them (--dry-run only lists them)",
				(unsigned long long)count);
		code = CLI_FAIL;
	} else if (count && !a.dry_run && unifw_vault_prune(NULL, a.cid_arg ? a.cid : NULL, a.keep, false, &res, &err) < 0) {
		code = CLI_FAIL;
	}
	unifw_jv_set_uint(doc, "deleted", a.dry_run || code ? 0 : res.deleted);
	unifw_jv_set_uint(doc, "bytes_freed", a.dry_run || code ? 0 : res.bytes_freed);
	unifw_jv_set_uint(doc, "would_delete", count);
	unifw_jv_set_uint(doc, "would_free", bytes);
	char size[32];
	if (a.json) {
		cli_print_json(doc);
	} else {
		const struct unifw_jv *ps = unifw_jv_get(doc, "phones");
		for (size_t i = 0; i < unifw_jv_len(ps); i++) {
			const struct unifw_jv *p = unifw_jv_at(ps, i), *gone = unifw_jv_get(p, "deleted");
			for (size_t k = 0; k < unifw_jv_len(gone); k++)
				printf("%s %s/%s\n", a.dry_run || code ? "would delete" : "deleted",
				       unifw_jv_str(unifw_jv_get(p, "cid")), unifw_jv_str(unifw_jv_get(unifw_jv_at(gone, k), "name")));
		}
		unifw_human_size(a.dry_run || code ? bytes : res.bytes_freed, size, sizeof size);
		fprintf(stderr, "%s %llu entries, %s (a phone's oldest and newest entries are always kept)\n",
			a.dry_run || code ? "Would delete" : "Deleted",
			(unsigned long long)(a.dry_run || code ? count : res.deleted), size);
	}
	unifw_jv_free(doc);
	return code ? cli_fail(&err, code) : CLI_OK;
}

/* ---------------------------------------------------------------- show */

static void show_usage(FILE *out)
{
	fprintf(out,
		"usage: unifw identity show (--port P [phone options] | --backup DIR | FILE) [--json]\n\n"
		"Identity health: the NVRAM BinRegion's file table, the WiFi MAC and Bluetooth address and their\n"
		"states, whether the IMEI record(s) and the calibration files are there with their expected sizes\n"
		"(never the IMEI itself), the same for the /data/nvram copy, and plain-language verdicts.\n"
		"From the connected phone (read-only), a backup folder or vault entry (checked against its manifest\n"
		"first), or a raw nvram.bin.\n\n"
		"  --backup DIR        a backup folder or vault entry (nvram.bin and nvram/)\n"
		"  --json              one JSON document on stdout\n"
		"%s\n"
		"exit status: 0 healthy, 1 failed, 2 usage, 3 a verdict is an error (e.g. the IMEI record is missing)\n",
		cli_phone_usage);
}

static const struct option show_longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"backup", required_argument, NULL, OPT_BACKUP},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

static void print_copy(const char *title, const struct unifw_idh_copy *c)
{
	char s[18];
	printf("%s:", title);
	if (!c->available) {
		printf(" none (%s)\n", c->note);
		return;
	}
	printf(" %zu files\n", c->file_count);
	for (size_t i = 0; i < c->file_count; i++)
		printf("    %-48s %8llu\n", c->files[i].path, (unsigned long long)c->files[i].size);
	unifw_nvram_format_mac(c->wifi_mac, s);
	printf("  WiFi MAC           %-17s  %s\n",
	       c->wifi_state == UNIFW_NVRAM_SET || c->wifi_state == UNIFW_NVRAM_DEFAULT ? s : "-",
	       unifw_nvram_addr_state_name(c->wifi_state));
	unifw_nvram_format_mac(c->bt_addr, s);
	printf("  Bluetooth address  %-17s  %s\n",
	       c->bt_state == UNIFW_NVRAM_SET || c->bt_state == UNIFW_NVRAM_DEFAULT ? s : "-",
	       unifw_nvram_addr_state_name(c->bt_state));
	for (size_t i = 0; i < c->item_count; i++) {
		const struct unifw_idh_item *it = &c->items[i];
		if (it->present)
			printf("  %-36s %s: %llu bytes%s\n", it->what, it->path, (unsigned long long)it->size,
			       it->size_ok ? "" : " (too short)");
		else
			printf("  %-36s %s: MISSING\n", it->what, it->path);
	}
	printf("  calibration files  %zu under md/NVRAM/CALIBRAT/\n", c->calibration_files);
}

static void print_health(const char *source, const struct unifw_idhealth *h)
{
	printf("Identity health of %s\n\n", source);
	print_copy("NVRAM BinRegion", &h->binregion);
	print_copy("/data/nvram (USRDATA)", &h->tree);
	printf("\nVerdicts:\n");
	for (size_t i = 0; i < h->verdict_count; i++)
		printf("  %-7s %s\n", unifw_idh_level_name(h->verdict[i].level), h->verdict[i].text);
}

static int show_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	return unifw_idhealth_of_phone(ph, ctx, err);
}

/* A full `unifw backup` folder (no "vault" key) is checked in the file the health check reads, nvram.bin:
 * hashing gigabytes of system images says nothing about the identity. */
static int verify_nvram_bin(const char *dir, const struct unifw_jv *m, struct unifw_error *err)
{
	const struct unifw_jv *parts = unifw_jv_get(m, "partitions");
	for (size_t i = 0; i < unifw_jv_len(parts); i++) {
		const struct unifw_jv *p = unifw_jv_at(parts, i);
		const char *file = unifw_jv_str(unifw_jv_get(p, "file")), *want = unifw_jv_str(unifw_jv_get(p, "sha256"));
		if (!file || strcmp(file, "nvram.bin"))
			continue;
		char path[UNIFW_VAULT_PATH + 32], hex[65];
		uint8_t digest[32];
		struct unifw_stream st;
		snprintf(path, sizeof path, "%s/nvram.bin", dir);
		int rc = unifw_stream_open_file(&st, path, err);
		if (!rc) {
			rc = unifw_sha256_stream(&st, digest, err);
			unifw_stream_close(&st);
		}
		if (rc)
			return rc;
		unifw_hex(digest, 32, hex);
		if (!want || strcmp(hex, want))
			return unifw_error_set(err, UNIFW_E_FORMAT, dir, UNIFW_NO_OFFSET,
					       "backup damaged: nvram.bin has SHA-256 %s, the manifest says %s", hex,
					       want ? want : "nothing");
	}
	return 0;
}

/* A folder with a manifest is checked against it first: a damaged backup is not judged as the phone. */
static int show_folder(const char *dir, struct unifw_idhealth *h, struct unifw_error *err)
{
	char manifest[UNIFW_VAULT_PATH + 32], marker[UNIFW_VAULT_PATH + 32];
	snprintf(manifest, sizeof manifest, "%s/manifest.json", dir);
	snprintf(marker, sizeof marker, "%s/%s", dir, UNIFW_VAULT_INCOMPLETE);
	int rc = 0;
	if (access(marker, F_OK) == 0) {
		rc = unifw_vault_entry_verify(dir, err); /* refused as unfinished */
	} else if (access(manifest, F_OK) == 0) {
		struct unifw_jv *m = NULL;
		rc = unifw_vault_manifest_load(dir, &m, err);
		if (!rc)
			rc = unifw_jv_get(m, "vault") ? unifw_vault_entry_verify(dir, err) : verify_nvram_bin(dir, m, err);
		unifw_jv_free(m);
	}
	return rc < 0 ? rc : unifw_idhealth_of_folder(dir, h, err);
}

int cmd_identity_show(int argc, char **argv)
{
	struct cli_phone_args pa = {0};
	const char *backup = NULL;
	bool json = false;
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, "identity show", argc, argv, "h" CLI_PHONE_SHORTOPTS, show_longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, &pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		if (c == OPT_JSON)
			json = true;
		else if (c == OPT_BACKUP)
			backup = g.arg;
		else if (c == 'h') {
			show_usage(stdout);
			return CLI_OK;
		} else
			return cli_usage_error("identity show", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	const char *file = g.optind < argc ? argv[g.optind] : NULL;
	if (g.optind + 1 < argc)
		return cli_usage_error("identity show", "unexpected argument '%s'", argv[g.optind + 1]);
	if ((pa.port != NULL) + (backup != NULL) + (file != NULL) != 1)
		return cli_usage_error("identity show", "give exactly one of --port P, --backup DIR or an nvram.bin");
	struct unifw_idhealth h;
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc;
	const char *source = backup ? backup : file;
	if (pa.port) {
		struct cli_progress prog;
		cli_progress_init(&prog, false); /* one JSON document: progress goes to stderr */
		if (json && prog.mode == CLI_PROGRESS_BARS)
			prog.mode = CLI_PROGRESS_LINES;
		struct unifw_job job;
		cli_job_init(&job, "identity show", &pa, cli_progress_cb(&prog));
		job.run = show_job;
		job.ctx = &h;
		rc = unifw_job_run(&job, &err);
		source = "the connected phone";
		if (rc < 0)
			return cli_job_exit(rc, cli_error(&err));
	} else {
		struct stat st;
		if (backup)
			rc = show_folder(backup, &h, &err);
		else if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
			rc = show_folder(file, &h, &err);
		else
			rc = unifw_idhealth_of_file(file, &h, &err);
		if (rc < 0)
			return cli_error(&err);
	}
	if (json) {
		struct unifw_jv *doc = unifw_jv_object();
		unifw_jv_set_str(doc, "type", "identity_health");
		unifw_jv_set_str(doc, "source", pa.port ? "phone" : backup ? "backup" : "file");
		if (!pa.port)
			unifw_jv_set_str(doc, "path", source);
		unifw_idhealth_to_json(&h, doc);
		cli_print_json(doc);
		unifw_jv_free(doc);
	} else {
		print_health(source, &h);
	}
	int code = h.worst == UNIFW_IDH_ERROR ? CLI_FINDINGS : CLI_OK;
	unifw_idhealth_free(&h);
	return code;
}
