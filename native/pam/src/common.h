/* Helpers shared by the PAM and account-lookup halves of the addon. */
#ifndef HUB_PAM_COMMON_H
#define HUB_PAM_COMMON_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>

#define NAPI_CALL(env, call)                  \
  do {                                        \
    if ((call) != napi_ok) {                  \
      return throw_error((env), #call);       \
    }                                         \
  } while (0)

napi_value throw_error(napi_env env, const char *message);

/* Copies a JS string (UTF-8) or Buffer into a fresh NUL-terminated heap string; false on anything else or on NUL bytes. */
bool copy_bytes(napi_env env, napi_value value, char **out, size_t *len);

napi_value js_getpwnam(napi_env env, napi_callback_info info);
napi_value js_getgrnam(napi_env env, napi_callback_info info);
napi_value js_getgrouplist(napi_env env, napi_callback_info info);

#endif
