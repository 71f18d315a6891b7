//! Keeping secrets out of text: the one mask, URLs with their credentials hidden, and known
//! secret values scrubbed from any message. Every crate that prints a URL or an upstream error
//! goes through here (re-exported as `market_data::redact`), so there is one rule and one mask.

/// What every hidden secret prints as.
pub const MASK: &str = "***";

/// Query parameters whose value is a credential, matched without regard to case.
const CREDENTIAL_PARAMETERS: [&str; 7] = [
    "apikey",
    "api_key",
    "key",
    "token",
    "access_token",
    "password",
    "secret",
];

/// A URL with its password and credential query values hidden:
/// `postgres://app:s3cret@db/x` → `postgres://app:***@db/x`,
/// `https://h/q?apikey=K&a=1` → `https://h/q?apikey=***&a=1`. The user name stays, so an
/// operator can still tell which account a URL names.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    // The user information ends at the last `@` before the host: a password may itself hold
    // `/`, `?` or `#`, so the authority cannot be cut at the first of those.
    let (authority_and_path, user_end) = match rest.rfind('@') {
        Some(at) => (rest, Some(at)),
        None => (rest, None),
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(&url[..scheme_end + 3]);
    let after_user = match user_end {
        Some(at) => {
            let user_info = &authority_and_path[..at];
            match user_info.find(':') {
                Some(colon) => {
                    out.push_str(&user_info[..colon]);
                    out.push(':');
                    out.push_str(MASK);
                }
                None => out.push_str(user_info),
            }
            &authority_and_path[at..]
        }
        None => authority_and_path,
    };
    match after_user.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            out.push_str(&redact_query(query));
        }
        None => out.push_str(after_user),
    }
    out
}

/// A query string with the value of every credential parameter masked.
fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value))
                if !value.is_empty()
                    && CREDENTIAL_PARAMETERS
                        .iter()
                        .any(|secret| name.eq_ignore_ascii_case(secret)) =>
            {
                format!("{name}={MASK}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `text` with every URL in it redacted ([`redact_url`]) and every non-empty value of
/// `secrets` replaced by the mask: for upstream errors, which quote URLs and sometimes keys.
pub fn scrub<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    let mut cleaned = text
        .split(' ')
        .map(|word| {
            let start = word.find("://").and_then(|scheme| {
                word[..scheme]
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '.'))
                    .map(|i| i + 1)
                    .or(Some(0))
            });
            match start {
                Some(start) => {
                    let end = word.trim_end_matches([')', '"', '\'', '>', ',']).len();
                    if end <= start {
                        return word.to_string();
                    }
                    format!(
                        "{}{}{}",
                        &word[..start],
                        redact_url(&word[start..end]),
                        &word[end..]
                    )
                }
                None => word.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    for secret in secrets {
        let secret = secret.as_ref();
        if !secret.is_empty() {
            cleaned = cleaned.replace(secret, MASK);
        }
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_url_hides_password_only() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/commodex"),
            "postgres://app:***@db:5432/commodex"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(
            redact_url("sqlite://data/commodex.db"),
            "sqlite://data/commodex.db"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn redact_url_hides_passwords_holding_separators() {
        assert_eq!(
            redact_url("redis://:pa/ss?wd@cache:6379/0"),
            "redis://:***@cache:6379/0"
        );
        assert_eq!(
            redact_url("postgres://app:a/b@c@db/commodex"),
            "postgres://app:***@db/commodex"
        );
    }

    #[test]
    fn redact_url_hides_credential_parameters() {
        assert_eq!(
            redact_url("postgres://db/x?user=app&password=s3cret&sslmode=require"),
            "postgres://db/x?user=app&password=***&sslmode=require"
        );
        assert_eq!(
            redact_url("https://www.alphavantage.co/query?function=WTI&apikey=KEY123"),
            "https://www.alphavantage.co/query?function=WTI&apikey=***"
        );
    }

    #[test]
    fn scrub_hides_urls_and_secret_values_in_text() {
        assert_eq!(
            scrub(
                "error sending request for url (http://127.0.0.1:9/query?apikey=SECRET)",
                &["SECRET"]
            ),
            "error sending request for url (http://127.0.0.1:9/query?apikey=***)"
        );
        assert_eq!(
            scrub(
                "cannot connect to redis://user:pw@host:6379: refused",
                &[] as &[&str]
            ),
            "cannot connect to redis://user:***@host:6379: refused"
        );
        assert_eq!(
            scrub("the key K-1 was refused", &["K-1", ""]),
            "the key *** was refused"
        );
    }
}
