/* sui-call.h: what an RPC method handler sees, and how methods are registered
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A handler runs on a database worker thread, never on the main loop. The dispatcher
 * has already authenticated the caller, checked the role and opened a transaction on
 * call->conn; it commits when the handler returns a result and rolls back when it
 * fails (unless the handler set commit_on_error, used to keep a failed login on record).
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "sui-rpc.h"

G_BEGIN_DECLS

typedef enum
{
  SUI_ROLE_PUBLIC = 0,        /* no token needed */
  SUI_ROLE_INSPECTOR = 1 << 0,
  SUI_ROLE_SUPERVISOR = 1 << 1,
  SUI_ROLE_ADMIN = 1 << 2,
} SuiRole;

#define SUI_ROLE_ANY (SUI_ROLE_INSPECTOR | SUI_ROLE_SUPERVISOR | SUI_ROLE_ADMIN)

typedef struct
{
  gint64 id;
  char *login;
  char *name;
  SuiRole role;
  gint64 unit_id;
  gint64 session_id;
  char *expires_at;   /* ISO 8601 */
} SuiUser;

typedef struct
{
  PGconn *conn;           /* inside the call's open transaction */
  const char *method;
  JsonObject *params;     /* never NULL: an empty object when the call had none */
  const SuiUser *user;    /* NULL for a public method called without a token */
  const char *peer;       /* remote address, for the audit log */
  gboolean commit_on_error;
  JsonNode *error_data;   /* set with sui_call_set_error_data() to fill error.data */
  gpointer server;        /* the SuiServer, for settings such as the token lifetime */
} SuiCall;

typedef JsonNode *(*SuiMethodHandler) (SuiCall  *call,
                                       GError  **error);

typedef struct
{
  const char *name;         /* area.verb */
  guint roles;              /* SuiRole bits; SUI_ROLE_PUBLIC for anyone */
  gboolean writes;          /* FALSE: the transaction is READ ONLY */
  const char *params;       /* for system.describe: "login:string, password:string, [note]:string" */
  const char *summary;      /* one line, English */
  SuiMethodHandler handler;
  gboolean no_transaction;  /* the handler runs no SQL (e.g. auth.whoami): skip BEGIN/COMMIT */
} SuiMethod;

void         sui_methods_register        (const SuiMethod *methods,
                                          gsize            n_methods);
const SuiMethod *sui_methods_lookup      (const char      *name);
GPtrArray   *sui_methods_list            (void);   /* of const SuiMethod *, sorted by name */
const char  *sui_role_to_string          (SuiRole          role);
SuiRole      sui_role_from_string        (const char      *text);

void         sui_user_free               (SuiUser         *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SuiUser, sui_user_free)

void         sui_call_set_error_data     (SuiCall         *call,
                                          JsonNode        *data);

/* Parameters by name. Each getter fails with -32602 naming the field when the
 * value has the wrong type or a required one is missing. Optional ones leave *out
 * untouched when absent (or null). */
gboolean     sui_call_get_string         (SuiCall     *call,
                                          const char  *name,
                                          gboolean     required,
                                          const char **out,
                                          GError     **error);
gboolean     sui_call_get_int            (SuiCall     *call,
                                          const char  *name,
                                          gboolean     required,
                                          gint64      *out,
                                          GError     **error);
gboolean     sui_call_get_bool           (SuiCall     *call,
                                          const char  *name,
                                          gboolean     required,
                                          gboolean    *out,
                                          GError     **error);
gboolean     sui_call_has                (SuiCall     *call,
                                          const char  *name);

/* -32602 with data {field: name, reason} (reason in English, e.g. "must be an integer");
 * returns FALSE. For a parameter the getters above cannot check. */
gboolean     sui_call_param_error        (SuiCall     *call,
                                          const char  *name,
                                          const char  *reason,
                                          GError     **error);

/* The required id and version that every write of a versioned record names. */
gboolean     sui_call_get_id_version     (SuiCall     *call,
                                          gint64      *id,
                                          gint64      *version,
                                          GError     **error);

/* Keyset paging of a list ordered by id: the optional after (the last id of the page
 * before; 0 when absent) and limit (SUI_PAGE_DEFAULT_LIMIT when absent, clamped to
 * 1 … SUI_PAGE_MAX_LIMIT). */
#define SUI_PAGE_DEFAULT_LIMIT 100
#define SUI_PAGE_MAX_LIMIT     1000
gboolean     sui_call_get_page           (SuiCall     *call,
                                          gint64      *after,
                                          gint64      *limit,
                                          GError     **error);

/* For the lists that refuse a limit outside 1 … SUI_PAGE_MAX_LIMIT (-32602 on limit)
 * rather than clamp it: after and limit as text parameters, after NULL when the call has
 * none. */
gboolean     sui_call_page_params        (SuiCall     *call,
                                          gint64       after,
                                          gint64       limit,
                                          char       **after_text,
                                          char       **limit_text,
                                          GError     **error);

/* Field-level validation: collect every problem, then fail once with -32010 whose
 * data is {"fields": [{"field", "code", "message"}]} (message is Chinese). */
typedef struct _SuiValidation SuiValidation;
SuiValidation *sui_validation_new        (void);
void         sui_validation_add          (SuiValidation *v,
                                          const char    *field,
                                          const char    *code,
                                          const char    *message);
/* Returns TRUE when nothing was added; otherwise sets error and call->error_data. Frees v. */
gboolean     sui_validation_finish       (SuiValidation *v,
                                          SuiCall       *call,
                                          GError       **error);

/* Inside the call's transaction: append one audit row (hash-chained) and NOTIFY
 * "changed {area, id}" to every open client. before/after may be NULL. */
gboolean     sui_audit_append            (SuiCall     *call,
                                          const char  *area,
                                          const char  *record_id,
                                          JsonNode    *before,
                                          JsonNode    *after,
                                          GError     **error);

G_END_DECLS
