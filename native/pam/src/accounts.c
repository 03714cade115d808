/*
 * Unix account look-ups through NSS (getpwnam_r, getgrnam_r, getgrouplist), as Python's pwd/grp/os modules give
 * JupyterHub's LocalAuthenticator: files, LDAP and sssd users alike. Synchronous, like Python's: these are local
 * look-ups on the login path only.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "common.h"

napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

bool copy_bytes(napi_env env, napi_value value, char **out, size_t *len) {
  bool is_buffer = false;
  napi_is_buffer(env, value, &is_buffer);
  if (is_buffer) {
    void *data;
    size_t n;
    if (napi_get_buffer_info(env, value, &data, &n) != napi_ok) return false;
    if (memchr(data, 0, n) != NULL) return false;
    *out = malloc(n + 1);
    if (*out == NULL) return false;
    memcpy(*out, data, n);
    (*out)[n] = 0;
    *len = n;
    return true;
  }
  size_t n;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &n) != napi_ok) return false;
  *out = malloc(n + 1);
  if (*out == NULL) return false;
  napi_get_value_string_utf8(env, value, *out, n + 1, &n);
  if (strlen(*out) != n) {
    free(*out);
    *out = NULL;
    return false;
  }
  *len = n;
  return true;
}

static bool one_name_arg(napi_env env, napi_callback_info info, char **name, napi_value *second) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return false;
  size_t len;
  if (!copy_bytes(env, argv[0], name, &len)) return false;
  if (second != NULL) {
    if (argc < 2) {
      free(*name);
      return false;
    }
    *second = argv[1];
  }
  return true;
}

static void set_string(napi_env env, napi_value obj, const char *key, const char *value) {
  napi_value v;
  napi_create_string_utf8(env, value != NULL ? value : "", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

static void set_uint(napi_env env, napi_value obj, const char *key, unsigned int value) {
  napi_value v;
  napi_create_uint32(env, value, &v);
  napi_set_named_property(env, obj, key, v);
}

/* Grows the scratch buffer on ERANGE, as the *_r functions ask. */
#define WITH_GROWING_BUFFER(call)                                   \
  size_t size = 4096;                                               \
  char *buf = NULL;                                                 \
  int rc;                                                           \
  for (;;) {                                                        \
    char *bigger = realloc(buf, size);                              \
    if (bigger == NULL) { free(buf); free(name); return throw_error(env, "out of memory"); } \
    buf = bigger;                                                   \
    rc = (call);                                                    \
    if (rc != ERANGE || size > (1u << 24)) break;                   \
    size *= 2;                                                      \
  }

napi_value js_getpwnam(napi_env env, napi_callback_info info) {
  char *name = NULL;
  if (!one_name_arg(env, info, &name, NULL)) return throw_error(env, "getpwnam(name): name must be a string without NUL bytes");
  struct passwd pw, *found = NULL;
  WITH_GROWING_BUFFER(getpwnam_r(name, &pw, buf, size, &found));
  napi_value result;
  if (rc != 0 || found == NULL) {
    napi_get_null(env, &result);
  } else {
    napi_create_object(env, &result);
    set_string(env, result, "name", pw.pw_name);
    set_uint(env, result, "uid", pw.pw_uid);
    set_uint(env, result, "gid", pw.pw_gid);
    set_string(env, result, "dir", pw.pw_dir);
    set_string(env, result, "shell", pw.pw_shell);
  }
  free(buf);
  free(name);
  return result;
}

napi_value js_getgrnam(napi_env env, napi_callback_info info) {
  char *name = NULL;
  if (!one_name_arg(env, info, &name, NULL)) return throw_error(env, "getgrnam(name): name must be a string without NUL bytes");
  struct group gr, *found = NULL;
  WITH_GROWING_BUFFER(getgrnam_r(name, &gr, buf, size, &found));
  napi_value result;
  if (rc != 0 || found == NULL) {
    napi_get_null(env, &result);
  } else {
    napi_create_object(env, &result);
    set_string(env, result, "name", gr.gr_name);
    set_uint(env, result, "gid", gr.gr_gid);
    napi_value members;
    napi_create_array(env, &members);
    for (uint32_t i = 0; gr.gr_mem != NULL && gr.gr_mem[i] != NULL; i++) {
      napi_value m;
      napi_create_string_utf8(env, gr.gr_mem[i], NAPI_AUTO_LENGTH, &m);
      napi_set_element(env, members, i, m);
    }
    napi_set_named_property(env, result, "members", members);
  }
  free(buf);
  free(name);
  return result;
}

napi_value js_getgrouplist(napi_env env, napi_callback_info info) {
  char *name = NULL;
  napi_value gid_value;
  if (!one_name_arg(env, info, &name, &gid_value)) return throw_error(env, "getgrouplist(name, gid): bad arguments");
  uint32_t gid;
  if (napi_get_value_uint32(env, gid_value, &gid) != napi_ok) {
    free(name);
    return throw_error(env, "getgrouplist(name, gid): gid must be a number");
  }
  int n = 64;
  gid_t *groups = NULL;
  for (;;) {
    gid_t *bigger = realloc(groups, (size_t)n * sizeof *groups);
    if (bigger == NULL) { free(groups); free(name); return throw_error(env, "out of memory"); }
    groups = bigger;
    int want = n;
    if (getgrouplist(name, (gid_t)gid, groups, &want) >= 0) { n = want; break; }
    if (want <= n) want = n * 2;
    if (want > 65536) { free(groups); free(name); return throw_error(env, "getgrouplist: too many groups"); }
    n = want;
  }
  napi_value result;
  napi_create_array_with_length(env, (size_t)n, &result);
  for (int i = 0; i < n; i++) {
    napi_value v;
    napi_create_uint32(env, groups[i], &v);
    napi_set_element(env, result, (uint32_t)i, v);
  }
  free(groups);
  free(name);
  return result;
}
