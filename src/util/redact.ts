/**
 * Hiding secrets in text that people read: `elava config`, log lines, error messages.
 *
 * Two kinds of secret can reach such text without a caller meaning to put them there:
 * credentials written into a URL (`nats://user:password@host`, `nats://token@host`), which
 * travel with the URL into every message that names the server, and NKey seeds, which a
 * library may quote when it cannot parse a key file. Both have a recognisable shape, so
 * they are replaced wherever they appear; other secrets (a password or token from the
 * environment) have none and are kept out of text by construction.
 */

/** What a secret is replaced with. */
export const REDACTED = "<redacted>";

// scheme://userinfo@ : the userinfo ends at the first `@` and holds no `/`, space, quote
// or comma (a comma separates the URLs of a list).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@"',]+)@/giu;

// An NKey seed: `S`, the key type (user, account, operator, server, cluster, curve), then
// base32 to 58 characters.
const NKEY_SEED = /\bS[UAONCXP][A-Z2-7]{56}\b/gu;

/**
 * The URL's credentials replaced: `nats://alice:<redacted>@host` keeps the user name (not
 * a secret, and useful to tell connections apart); `nats://<redacted>@host` hides a token.
 */
export function redactUrl(url: string): string {
  return url.replace(URL_USERINFO, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return colon < 0
      ? `${scheme}${REDACTED}@`
      : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
  });
}

/** Any text with the credentials of its URLs and its NKey seeds replaced by `<redacted>`. */
export function redactText(text: string): string {
  return redactUrl(text).replace(NKEY_SEED, REDACTED);
}
