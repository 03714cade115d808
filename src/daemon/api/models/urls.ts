/**
 * URLs inside models, built as JupyterHub builds them (utils.py `url_escape_path` = `quote(s, safe='@~')`,
 * user.py `url`, `progress_url`), so clients that compare or follow them see the same strings.
 */

/** Python's `quote(value, safe='@~')`: everything but letters, digits, `_.-~@` is %-escaped, `/` included. */
export function urlEscapePath(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%40/g, '@');
}

/** `<base_url>user/<name>/` */
export function userUrl(baseUrl: string, user: string): string {
  return `${baseUrl}user/${urlEscapePath(user)}/`;
}

/** `<base_url>user/<name>/[<server>/]` (url_path_join drops the empty default-server segment). */
export function serverUrl(baseUrl: string, user: string, server: string): string {
  return server === '' ? userUrl(baseUrl, user) : `${userUrl(baseUrl, user)}${urlEscapePath(server)}/`;
}

/** `<base_url>hub/api/users/<name>/server/progress` or `.../servers/<server>/progress`. */
export function progressUrl(baseUrl: string, user: string, server: string): string {
  const u = `${baseUrl}hub/api/users/${urlEscapePath(user)}`;
  return server === '' ? `${u}/server/progress` : `${u}/servers/${urlEscapePath(server)}/progress`;
}

/** JupyterHub's `spawner._log_name`: `alice` for the default server, `alice:gpu` for a named one. */
export function serverLogName(user: string, server: string): string {
  return server === '' ? user : `${user}:${server}`;
}
