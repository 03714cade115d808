/**
 * URLs inside models, built as JupyterHub builds them (utils.py `url_escape_path` = `quote(s, safe='@~')`,
 * user.py `url`, `progress_url`), so clients that compare or follow them see the same strings. With
 * subdomain_host a server's url is absolute (`https://ada.hub.example.org/user/ada/`), as user.py's `url` is;
 * the progress URL stays a path on the hub.
 */
import { serverPublicUrl, urlEscapePath } from '../../user-host.js';

export { urlEscapePath };

/** `<base_url>user/<name>/`, behind the user's host with subdomain_host. */
export function userUrl(baseUrl: string, user: string, subdomainHost = ''): string {
  return serverPublicUrl(subdomainHost, baseUrl, user, '');
}

/** `<base_url>user/<name>/[<server>/]` (url_path_join drops the empty default-server segment), behind the user's host with subdomain_host. */
export function serverUrl(baseUrl: string, user: string, server: string, subdomainHost = ''): string {
  return serverPublicUrl(subdomainHost, baseUrl, user, server);
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
