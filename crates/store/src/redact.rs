//! Keeping secrets out of text: the one mask, URLs with their credentials hidden, and known
//! secret values scrubbed from any message. Every crate that prints a URL or an upstream error
//! goes through here (re-exported as `market_data::redact`), so there is one rule and one mask.

/// What every hidden secret prints as.
pub const MASK: &str = "***";

/// Words that make a query parameter a credential when its name contains them, matched
/// without regard to case: `password`, `pass`, `passwd`, `pwd`, `token`, `access_token`,
/// `secret`, `client_secret`, `auth`, `signature`...
const CREDENTIAL_WORDS: [&str; 7] = [
    "pass",
    "pwd",
    "token",
    "secret",
    "auth",
    "signature",
    "credential",
];

/// Whether a query parameter named `name` carries a credential: a name containing one of
/// [`CREDENTIAL_WORDS`], ending in `key` (`key`, `apikey`, `api_key`, `access_key`...), or
/// `sig`. A harmless parameter masked by mistake costs less than a key shown.
fn is_credential_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|word| name.contains(word))
        || name.ends_with("key")
        || name == "sig"
}

/// A URL with its password and credential query values hidden:
/// `postgres://app:s3cret@db/x` → `postgres://app:***@db/x`,
/// `https://h/q?apikey=K&a=1` → `https://h/q?apikey=***&a=1`. The user name stays, so an
/// operator can still tell which account a URL names.
///
/// Passwords are often pasted unencoded, holding `/`, `?`, `#` or `@`, and queries may hold
/// an `@` (an e-mail address): the user information is taken to end at the last `@` before
/// the query, the query to start at the first `?` followed by `name=`, and when the only `@`
/// is after that `?`, it ends the user information if what precedes the `?` is not
/// `host[:port]` (a "port" that is not a number is a password).
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let (head, rest) = url.split_at(scheme_end + 3);
    let user_end = user_info_end(rest);
    let mut out = String::with_capacity(url.len());
    out.push_str(head);
    let after_user = match user_end {
        Some(at) => {
            let user_info = &rest[..at];
            match user_info.find(':') {
                Some(colon) => {
                    out.push_str(&user_info[..colon]);
                    out.push(':');
                    out.push_str(MASK);
                }
                None => out.push_str(user_info),
            }
            &rest[at..]
        }
        None => rest,
    };
    // Past the user information, the first `?` starts the query.
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

/// Where the user information of `rest` (a URL after `://`) ends: the index of its `@`.
fn user_info_end(rest: &str) -> Option<usize> {
    let query = query_start(rest);
    let before_query = &rest[..query.unwrap_or(rest.len())];
    if let Some(at) = before_query.rfind('@') {
        return Some(at);
    }
    let at = rest.rfind('@')?;
    // The only `@` is in what looks like the query: it is the query's unless what precedes
    // it cannot be a host, which makes the `?name=` part of a password.
    let authority_end = before_query.find(['/', '#']).unwrap_or(before_query.len());
    (!is_host_and_port(&before_query[..authority_end])).then_some(at)
}

/// The index of the first `?` of `rest` that is followed by `name=`.
fn query_start(rest: &str) -> Option<usize> {
    rest.match_indices('?')
        .map(|(index, _)| index)
        .find(|&index| {
            let after = &rest[index + 1..];
            let name_length = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || "_-.~%".contains(c)))
                .unwrap_or(after.len());
            name_length > 0 && after[name_length..].starts_with('=')
        })
}

/// Whether `authority` is `host` or `host:port` with a numeric port (IPv6 in brackets).
fn is_host_and_port(authority: &str) -> bool {
    let after_host = match authority.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((_, after)) => after,
            None => return false,
        },
        None => authority.find(':').map_or("", |colon| &authority[colon..]),
    };
    match after_host.strip_prefix(':') {
        Some(port) => port.chars().all(|c| c.is_ascii_digit()),
        None => after_host.is_empty(),
    }
}

/// A query string with the value of every credential parameter masked.
fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !value.is_empty() && is_credential_parameter(name) => {
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
    fn redact_url_hides_passwords_holding_a_slash() {
        assert_eq!(
            redact_url("postgres://app:pa/ss@db:5432/commodex"),
            "postgres://app:***@db:5432/commodex"
        );
        assert_eq!(
            redact_url("redis://:a/b/c@cache:6379"),
            "redis://:***@cache:6379"
        );
        // A password holding what looks like a query.
        assert_eq!(
            redact_url("postgres://app:ab?c=d@db/commodex"),
            "postgres://app:***@db/commodex"
        );
    }

    #[test]
    fn redact_url_hides_every_style_of_credential_parameter() {
        for (given, shown) in [
            (
                "postgres://db/x?password=s3cret",
                "postgres://db/x?password=***",
            ),
            (
                "postgres://db/x?sslmode=require&password=s3cret",
                "postgres://db/x?sslmode=require&password=***",
            ),
            (
                "redis://cache:6379/0?pass=s3cret",
                "redis://cache:6379/0?pass=***",
            ),
            (
                "https://h/q?PassWd=s3cret&a=1",
                "https://h/q?PassWd=***&a=1",
            ),
            (
                "https://h/q?a=1&apikey=K&b=2",
                "https://h/q?a=1&apikey=***&b=2",
            ),
            ("https://h/q?api_key=K", "https://h/q?api_key=***"),
            ("https://h/q?access_token=T", "https://h/q?access_token=***"),
            ("https://h/q?token=T#frag", "https://h/q?token=***"),
            (
                "https://h/q?client_secret=S",
                "https://h/q?client_secret=***",
            ),
            (
                "https://h/q?symbol=GOLD&from=2024",
                "https://h/q?symbol=GOLD&from=2024",
            ),
        ] {
            assert_eq!(redact_url(given), shown, "{given}");
        }
    }

    #[test]
    fn an_at_sign_in_the_query_is_not_taken_for_a_password() {
        assert_eq!(
            redact_url("postgres://db/x?password=s3cret&note=a@b.example"),
            "postgres://db/x?password=***&note=a@b.example"
        );
        assert_eq!(
            redact_url("postgres://db:5432/x?password=p@ss"),
            "postgres://db:5432/x?password=***"
        );
        assert_eq!(
            redact_url("https://h/q?email=a@b.example&apikey=K"),
            "https://h/q?email=a@b.example&apikey=***"
        );
        assert_eq!(
            redact_url("postgres://app:s3cret@[::1]:5432/x?password=p@ss"),
            "postgres://app:***@[::1]:5432/x?password=***"
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
