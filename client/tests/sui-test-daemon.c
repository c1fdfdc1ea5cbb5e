/* sui-test-daemon.c: the real shuangsuid on a throwaway database, for client tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Spawns tests/lib/daemon-for-tests.py, which starts a PostgreSQL cluster and the daemon
 * through the integration harness, and drives it one line at a time: stop and start the
 * daemon, make a change as another client would (`rpc`), look at the database (`psql`).
 * While waiting for an answer the main context keeps running, so the widgets under test see
 * what happens meanwhile (a dropped socket, a notification) as they would in real use.
 *
 * The launcher stops the daemon and the cluster when its stdin closes, which also happens
 * when a test aborts: nothing outlives the test binary.
 */
#include "sui-config.h"

#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sui-rpc.h"
#include "sui-test-daemon.h"

#define LAUNCHER_EXIT_TIMEOUT_MS 60000
#define LAUNCHER_TERM_TIMEOUT_MS 30000

struct _SuiTestDaemon
{
  GSubprocess *process;
  GOutputStream *commands;
  GDataInputStream *answers;
  JsonObject *info;
  char *url;
};

typedef struct
{
  gboolean done;
  gboolean timed_out;
  char *line;
  GError *error;
} Pending;

static gboolean
timed_out_cb (gpointer data)
{
  Pending *pending = data;

  pending->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pending *pending = user_data;

  pending->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                             result, NULL, &pending->error);
  pending->done = TRUE;
}

/* Runs the main context until the launcher's next line has come; aborts the test when it does
 * not come within SUI_TEST_DAEMON_TIMEOUT_MS or the launcher has gone. */
static JsonObject *
read_answer (SuiTestDaemon *self,
             const char    *what)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Pending pending = { 0 };
  JsonNode *root;
  guint source;

  source = g_timeout_add (SUI_TEST_DAEMON_TIMEOUT_MS, timed_out_cb, &pending);
  g_data_input_stream_read_line_async (self->answers, G_PRIORITY_DEFAULT, cancellable,
                                       read_line_cb, &pending);
  while (!pending.done)
    {
      if (pending.timed_out)
        g_cancellable_cancel (cancellable);
      g_main_context_iteration (NULL, TRUE);
    }
  if (!pending.timed_out)
    g_source_remove (source);

  line = g_steal_pointer (&pending.line);
  error = g_steal_pointer (&pending.error);
  if (pending.timed_out)
    g_error ("daemon-for-tests gave no answer to %s within %u ms", what,
             SUI_TEST_DAEMON_TIMEOUT_MS);
  if (line == NULL)
    g_error ("daemon-for-tests ended before answering %s: %s", what,
             error != NULL ? error->message : "end of output");

  if (!json_parser_load_from_data (parser, line, -1, &error) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    g_error ("daemon-for-tests answered %s with something else than a JSON object: %s",
             what, line);

  if (!json_object_get_boolean_member_with_default (json_node_get_object (root), "ok", FALSE))
    g_error ("daemon-for-tests could not carry out %s: %s", what,
             json_object_get_string_member_with_default (json_node_get_object (root),
                                                         "message", line));

  return json_object_ref (json_node_get_object (root));
}

static char *
launcher_path (void)
{
  const char *root = g_getenv ("SUI_SOURCE_ROOT");

  return g_build_filename (root != NULL ? root : SUI_SOURCE_ROOT,
                           "tests", "lib", "daemon-for-tests.py", NULL);
}

/**
 * sui_test_daemon_new:
 * @args: (nullable): options of daemon-for-tests.py, e.g. `--user LOGIN:ROLE:UNIT:PW:NAME`
 *
 * Starts a cluster and the daemon and waits until it listens. Aborts the test when that fails.
 */
SuiTestDaemon *
sui_test_daemon_new (const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  SuiTestDaemon *self = g_new0 (SuiTestDaemon, 1);
  GInputStream *output;

  g_ptr_array_add (argv, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (argv, launcher_path ());
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  /* stderr is the test's own: the harness's diagnostics land in the test log. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "SUI_SOURCE_ROOT", SUI_SOURCE_ROOT, FALSE);
  g_subprocess_launcher_setenv (launcher, "SUI_BUILD_ROOT", SUI_BUILD_ROOT, FALSE);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                &error);
  g_assert_no_error (error);

  self->commands = g_object_ref (g_subprocess_get_stdin_pipe (self->process));
  output = g_subprocess_get_stdout_pipe (self->process);
  self->answers = g_data_input_stream_new (output);
  g_data_input_stream_set_newline_type (self->answers, G_DATA_STREAM_NEWLINE_TYPE_LF);

  self->info = read_answer (self, "the start");
  self->url = g_strdup (json_object_get_string_member (self->info, "url"));

  return self;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *pending = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  pending->done = TRUE;
}

static gboolean
wait_exit (SuiTestDaemon *self,
           guint          timeout_ms)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Pending pending = { 0 };
  guint source = g_timeout_add (timeout_ms, timed_out_cb, &pending);

  g_subprocess_wait_async (self->process, cancellable, wait_cb, &pending);
  while (!pending.done)
    {
      if (pending.timed_out)
        g_cancellable_cancel (cancellable);
      g_main_context_iteration (NULL, TRUE);
    }
  if (!pending.timed_out)
    g_source_remove (source);

  return !pending.timed_out;
}

/* Closes the launcher's input, which makes it stop the daemon and the cluster, and waits for
 * it by its PID: SIGTERM (which cleans up too) if it takes too long, SIGKILL at the end. */
void
sui_test_daemon_free (SuiTestDaemon *self)
{
  if (self == NULL)
    return;

  g_output_stream_close (self->commands, NULL, NULL);
  if (!wait_exit (self, LAUNCHER_EXIT_TIMEOUT_MS))
    {
      g_printerr ("# daemon-for-tests did not stop within %u ms; sending SIGTERM\n",
                  LAUNCHER_EXIT_TIMEOUT_MS);
      g_subprocess_send_signal (self->process, SIGTERM);
      if (!wait_exit (self, LAUNCHER_TERM_TIMEOUT_MS))
        {
          g_subprocess_force_exit (self->process);
          wait_exit (self, LAUNCHER_TERM_TIMEOUT_MS);
        }
    }
  else if (!g_subprocess_get_successful (self->process))
    {
      g_printerr ("# daemon-for-tests exited with status %d\n",
                  g_subprocess_get_status (self->process));
    }

  g_clear_object (&self->answers);
  g_clear_object (&self->commands);
  g_clear_object (&self->process);
  g_clear_pointer (&self->info, json_object_unref);
  g_free (self->url);
  g_free (self);
}

const char *
sui_test_daemon_get_url (SuiTestDaemon *self)
{
  return self->url;
}

gint64
sui_test_daemon_get_unit_id (SuiTestDaemon *self,
                             const char    *code)
{
  JsonObject *units = json_object_get_object_member (self->info, "units");

  g_assert_true (json_object_has_member (units, code));
  return json_object_get_int_member (units, code);
}

static JsonObject *
get_seeded_user (SuiTestDaemon *self,
                 const char    *login)
{
  JsonObject *users = json_object_get_object_member (self->info, "users");

  if (g_strcmp0 (login, json_object_get_string_member (
                   json_object_get_object_member (self->info, "admin"), "login")) == 0)
    return json_object_get_object_member (self->info, "admin");

  g_assert_true (json_object_has_member (users, login));
  return json_object_get_object_member (users, login);
}

/* The id of the admin or of a user created with --user. */
gint64
sui_test_daemon_get_user_id (SuiTestDaemon *self,
                             const char    *login)
{
  return json_object_get_int_member (get_seeded_user (self, login), "id");
}

const char *
sui_test_daemon_get_password (SuiTestDaemon *self,
                              const char    *login)
{
  return json_object_get_string_member (get_seeded_user (self, login), "password");
}

/* Sends one command line; returns its answer (`ok` is TRUE: anything else aborts the test). */
JsonObject *
sui_test_daemon_command (SuiTestDaemon *self,
                         const char    *line)
{
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (strchr (line, '\n'));
  g_output_stream_write_all (self->commands, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (self->commands, NULL, &error);
  g_assert_no_error (error);

  return read_answer (self, line);
}

/* The daemon stops (SIGTERM) and its port is free: clients see a refused connection. */
void
sui_test_daemon_stop_daemon (SuiTestDaemon *self)
{
  g_autoptr(JsonObject) answer = sui_test_daemon_command (self, "stop");
}

/* The daemon starts again on the same address and database. */
void
sui_test_daemon_start_daemon (SuiTestDaemon *self)
{
  g_autoptr(JsonObject) answer = sui_test_daemon_command (self, "start");

  g_assert_cmpstr (json_object_get_string_member (answer, "url"), ==, self->url);
}

/**
 * sui_test_daemon_rpc_full:
 * @token: (nullable): %NULL to call as the admin, %SUI_TEST_NO_TOKEN for none
 * @params_json: (nullable): the params object as JSON text
 * @error_data: (out) (optional): the `data` of an error answer
 *
 * One call made by the launcher, i.e. by another client than the one under test.
 *
 * Returns: (transfer full): the result, or %NULL with @error set in %SUI_RPC_ERROR
 */
JsonNode *
sui_test_daemon_rpc_full (SuiTestDaemon  *self,
                          const char     *token,
                          const char     *method,
                          const char     *params_json,
                          JsonNode      **error_data,
                          GError        **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  JsonObject *failure;

  if (error_data != NULL)
    *error_data = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  if (params_json != NULL)
    {
      g_autoptr(GError) parse_error = NULL;
      JsonNode *params = json_from_string (params_json, &parse_error);

      g_assert_no_error (parse_error);
      json_builder_set_member_name (builder, "params");
      json_builder_add_value (builder, params);
    }
  if (token != NULL)
    {
      json_builder_set_member_name (builder, "token");
      if (token[0] == '\0')
        json_builder_add_null_value (builder);
      else
        json_builder_add_string_value (builder, token);
    }
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);

  text = json_to_string (request, FALSE);
  line = g_strconcat ("rpc ", text, NULL);
  answer = sui_test_daemon_command (self, line);

  if (json_object_has_member (answer, "result"))
    return json_node_copy (json_object_get_member (answer, "result"));

  failure = json_object_get_object_member (answer, "error");
  if (error_data != NULL && json_object_has_member (failure, "data") &&
      !json_object_get_null_member (failure, "data"))
    *error_data = json_node_copy (json_object_get_member (failure, "data"));
  g_set_error_literal (error, SUI_RPC_ERROR, json_object_get_int_member (failure, "code"),
                       json_object_get_string_member (failure, "message"));
  return NULL;
}

/* As the admin; an error answer fails the test. */
JsonNode *
sui_test_daemon_rpc (SuiTestDaemon *self,
                     const char    *method,
                     const char    *params_format,
                     ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *params = NULL;
  JsonNode *result;
  va_list args;

  va_start (args, params_format);
  params = g_strdup_vprintf (params_format, args);
  va_end (args);

  result = sui_test_daemon_rpc_full (self, NULL, method, params, NULL, &error);
  g_assert_no_error (error);
  return result;
}

/* The user as the daemon has it now (users.get as the admin). */
JsonObject *
sui_test_daemon_get_user (SuiTestDaemon *self,
                          gint64         id)
{
  g_autoptr(JsonNode) node = sui_test_daemon_rpc (self, "users.get",
                                                  "{\"id\":%" G_GINT64_FORMAT "}", id);

  return json_object_ref (json_node_get_object (node));
}

JsonObject *
sui_test_daemon_create_user (SuiTestDaemon *self,
                             const char    *login,
                             const char    *name,
                             const char    *role,
                             gint64         unit_id,
                             const char    *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "login");
  json_builder_add_string_value (builder, login);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "unit_id");
  json_builder_add_int_value (builder, unit_id);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  text = json_to_string (params, FALSE);

  node = sui_test_daemon_rpc_full (self, NULL, "users.create", text, NULL, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* A new session of @login (auth.login); returns its token. */
char *
sui_test_daemon_login (SuiTestDaemon *self,
                       const char    *login,
                       const char    *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "login");
  json_builder_add_string_value (builder, login);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  text = json_to_string (params, FALSE);

  node = sui_test_daemon_rpc_full (self, SUI_TEST_NO_TOKEN, "auth.login", text, NULL, &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (json_node_get_object (node), "token"));
}

/* Runs one line of SQL on the daemon's database; returns what psql printed (tuples only,
 * unaligned), without the final newline. */
char *
sui_test_daemon_psql (SuiTestDaemon *self,
                      const char    *sql)
{
  g_autofree char *line = g_strconcat ("psql ", sql, NULL);
  g_autoptr(JsonObject) answer = sui_test_daemon_command (self, line);

  return g_strchomp (g_strdup (json_object_get_string_member (answer, "output")));
}

/* Runs the main context until predicate (data) holds; fails the test after timeout_ms. */
void
sui_test_wait_until (gboolean (*predicate) (gpointer),
                     gpointer   data,
                     guint      timeout_ms)
{
  Pending pending = { 0 };
  guint source = g_timeout_add (timeout_ms, timed_out_cb, &pending);

  while (!predicate (data))
    {
      if (pending.timed_out)
        g_error ("timed out after %u ms", timeout_ms);
      g_main_context_iteration (NULL, TRUE);
    }

  if (!pending.timed_out)
    g_source_remove (source);
}

/* The daemon's own message per field (field → message) for a call of @token (NULL: the
 * admin) that it must refuse with -32010, for a test to compare a form's messages with. */
GHashTable *
sui_test_daemon_field_messages (SuiTestDaemon *self,
                                const char    *token,
                                const char    *method,
                                const char    *params_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(JsonNode) result = NULL;
  GHashTable *messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *fields;

  result = sui_test_daemon_rpc_full (self, token, method, params_json, &data, &error);
  g_assert_null (result);
  g_assert_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION);
  g_assert_nonnull (data);

  fields = json_object_get_array_member (json_node_get_object (data), "fields");
  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);

      g_hash_table_insert (messages, g_strdup (json_object_get_string_member (field, "field")),
                           g_strdup (json_object_get_string_member (field, "message")));
    }

  return messages;
}

/* TRUE, with the TAP line that says so, when there is no display for a widget test. */
gboolean
sui_test_skip_without_display (void)
{
  if (g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL)
    return FALSE;
  printf ("1..0 # SKIP no display (run under Xvfb, e.g. through scripts/test)\n");
  return TRUE;
}

/**
 * sui_test_find_widget:
 *
 * Returns: (transfer none) (nullable): the first widget of @type in @root's tree, @root
 *   included, depth first
 */
GtkWidget *
sui_test_find_widget (GtkWidget *root,
                      GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = sui_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Returns: (transfer full): an RPC client of the daemon holding @token's session */
SuiRpcClient *
sui_test_daemon_client (SuiTestDaemon *self,
                        const char    *token)
{
  SuiRpcClient *client = sui_rpc_client_new (sui_test_daemon_get_url (self));

  sui_rpc_client_set_token (client, token);
  return client;
}

/* Returns: (transfer none): a presented window of a usual desk size showing @child */
GtkWindow *
sui_test_show (GtkWidget *child)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, 1100, 700);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  return window;
}

/* Destroys @window and lets the calls it cancelled report back once, so that they drop their
 * references before the test checks that everything is finalized. */
void
sui_test_close (GtkWindow *window)
{
  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}
