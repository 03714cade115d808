/*
 * hub's binding to the system's PAM stack (libpam), as JupyterHub's PAMAuthenticator uses it through pamela:
 * authenticate (+ account check), open and close sessions. Every PAM call runs on libuv's thread pool
 * (napi_async_work): PAM modules may sleep (pam_faildelay) or talk to the network (LDAP, Kerberos), and the hub's
 * event loop must not wait for them. Strings arrive as Buffers already encoded by the caller
 * (PAMAuthenticator.encoding), so this file never guesses an encoding.
 */
#include <node_api.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef enum { OP_AUTHENTICATE, OP_OPEN_SESSION, OP_CLOSE_SESSION } pam_op;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  pam_op op;
  char *service;
  char *user;
  char *password;
  size_t password_len;
  int check_account;
  int status;
  const char *stage;
  char message[256];
} pam_job;

/* Answers the password prompt only, as pamela does; other prompts get an empty answer. */
static int conversation(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
  const char *password = data;
  if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  struct pam_response *r = calloc((size_t)n, sizeof *r);
  if (r == NULL) return PAM_BUF_ERR;
  for (int i = 0; i < n; i++) {
    if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF) continue;
    r[i].resp = strdup(password != NULL ? password : "");
    if (r[i].resp == NULL) {
      for (int j = 0; j < i; j++) free(r[j].resp);
      free(r);
      return PAM_BUF_ERR;
    }
  }
  *resp = r;
  return PAM_SUCCESS;
}

static void fail(pam_job *job, pam_handle_t *h, const char *stage, int rc) {
  job->status = rc;
  job->stage = stage;
  snprintf(job->message, sizeof job->message, "%s: %s", stage, pam_strerror(h, rc));
}

static void run_authenticate(pam_job *job, pam_handle_t *h) {
  int rc = pam_authenticate(h, 0);
  if (rc != PAM_SUCCESS) return fail(job, h, "pam_authenticate", rc);
  /* pamela re-initialises credentials (Kerberos tickets...) and ignores the outcome. */
  (void)pam_setcred(h, PAM_REINITIALIZE_CRED);
  if (!job->check_account) return;
  rc = pam_acct_mgmt(h, 0);
  if (rc != PAM_SUCCESS) fail(job, h, "pam_acct_mgmt", rc);
}

static void run_open_session(pam_job *job, pam_handle_t *h) {
  int rc = pam_setcred(h, PAM_ESTABLISH_CRED);
  if (rc != PAM_SUCCESS) return fail(job, h, "pam_setcred", rc);
  rc = pam_open_session(h, 0);
  if (rc != PAM_SUCCESS) fail(job, h, "pam_open_session", rc);
}

static void run_close_session(pam_job *job, pam_handle_t *h) {
  int rc = pam_close_session(h, 0);
  if (rc != PAM_SUCCESS) return fail(job, h, "pam_close_session", rc);
  rc = pam_setcred(h, PAM_DELETE_CRED);
  if (rc != PAM_SUCCESS) fail(job, h, "pam_setcred", rc);
}

static void execute(napi_env env, void *data) {
  (void)env;
  pam_job *job = data;
  struct pam_conv conv = {conversation, job->password};
  pam_handle_t *h = NULL;
  job->status = PAM_SUCCESS;
  int rc = pam_start(job->service, job->user, &conv, &h);
  if (rc != PAM_SUCCESS) {
    fail(job, h, "pam_start", rc);
    if (h != NULL) pam_end(h, rc);
    return;
  }
  switch (job->op) {
    case OP_AUTHENTICATE: run_authenticate(job, h); break;
    case OP_OPEN_SESSION: run_open_session(job, h); break;
    case OP_CLOSE_SESSION: run_close_session(job, h); break;
  }
  pam_end(h, job->status);
}

static void free_job(pam_job *job) {
  if (job->password != NULL) {
    /* The password leaves memory as soon as PAM is done with it. */
    volatile char *p = job->password;
    for (size_t i = 0; i < job->password_len; i++) p[i] = 0;
  }
  free(job->service);
  free(job->user);
  free(job->password);
  free(job);
}

static void complete(napi_env env, napi_status status, void *data) {
  pam_job *job = data;
  if (status == napi_ok && job->status == PAM_SUCCESS) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, job->deferred, undef);
  } else {
    napi_value msg, err, code, stage;
    const char *text = status == napi_ok ? job->message : "PAM call cancelled";
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    napi_create_int32(env, job->status, &code);
    napi_set_named_property(env, err, "pamStatus", code);
    napi_create_string_utf8(env, job->stage != NULL ? job->stage : "", NAPI_AUTO_LENGTH, &stage);
    napi_set_named_property(env, err, "pamStage", stage);
    napi_reject_deferred(env, job->deferred, err);
  }
  napi_delete_async_work(env, job->work);
  free_job(job);
}

/* JS: (service: Buffer|string, user: Buffer|string, password?: Buffer|string, checkAccount?: boolean) => Promise<void> */
static napi_value start_job(napi_env env, napi_callback_info info, pam_op op) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  pam_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_error(env, "out of memory");
  job->op = op;
  size_t ignored;
  if (argc < 2 || !copy_bytes(env, argv[0], &job->service, &ignored) || !copy_bytes(env, argv[1], &job->user, &ignored)) {
    free_job(job);
    return throw_error(env, "service and user must be strings or Buffers without NUL bytes");
  }
  if (op == OP_AUTHENTICATE) {
    if (argc < 3 || !copy_bytes(env, argv[2], &job->password, &job->password_len)) {
      free_job(job);
      return throw_error(env, "password must be a string or Buffer without NUL bytes");
    }
    bool check = true;
    if (argc >= 4) napi_get_value_bool(env, argv[3], &check);
    job->check_account = check ? 1 : 0;
  }
  napi_value promise, name;
  NAPI_CALL(env, napi_create_promise(env, &job->deferred, &promise));
  NAPI_CALL(env, napi_create_string_utf8(env, "hub_pam", NAPI_AUTO_LENGTH, &name));
  NAPI_CALL(env, napi_create_async_work(env, NULL, name, execute, complete, job, &job->work));
  NAPI_CALL(env, napi_queue_async_work(env, job->work));
  return promise;
}

static napi_value js_authenticate(napi_env env, napi_callback_info info) { return start_job(env, info, OP_AUTHENTICATE); }
static napi_value js_open_session(napi_env env, napi_callback_info info) { return start_job(env, info, OP_OPEN_SESSION); }
static napi_value js_close_session(napi_env env, napi_callback_info info) { return start_job(env, info, OP_CLOSE_SESSION); }

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"authenticate", NULL, js_authenticate, NULL, NULL, NULL, napi_enumerable, NULL},
    {"openSession", NULL, js_open_session, NULL, NULL, NULL, napi_enumerable, NULL},
    {"closeSession", NULL, js_close_session, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getpwnam", NULL, js_getpwnam, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getgrnam", NULL, js_getgrnam, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getgrouplist", NULL, js_getgrouplist, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CALL(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
