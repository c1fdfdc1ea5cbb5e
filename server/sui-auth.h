/* sui-auth.h: logins, sessions and passwords
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Passwords are kept as Argon2id strings (libsodium); tokens are 32 random bytes in
 * base64url, of which the database keeps only the SHA-256.
 */
#pragma once

#include <libpq-fe.h>

#include "sui-call.h"

G_BEGIN_DECLS

/* Registers auth.login, auth.logout, auth.whoami and auth.change_password. */
void      sui_auth_register       (void);

/* One indexed query: the user behind a token that is neither revoked nor expired, of an
 * enabled account. NULL with SUI_RPC_ERROR_NOT_AUTHENTICATED otherwise (or another
 * SUI_RPC_ERROR when the database fails). Runs outside any transaction. */
SuiUser  *sui_auth_lookup_token   (PGconn      *conn,
                                   const char  *token,
                                   GError     **error);

/* An Argon2id string for crypto_pwhash_str_verify; takes about 0.1 s and 64 MiB. */
char     *sui_auth_hash_password  (const char  *password,
                                   GError     **error);

/* For `shuangsuid --create-admin LOGIN`, inside a transaction the caller opened:
 * creates an admin in the bureau (creating the bureau first when there is none), or
 * gives an existing login the admin role and this password; audited as "system". */
gboolean  sui_auth_create_admin   (PGconn      *conn,
                                   const char  *login,
                                   const char  *password,
                                   GError     **error);

G_END_DECLS
