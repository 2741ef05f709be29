//! URLs: absolute http(s) only, stricter than a browser's parser, and provider domains that
//! match hosts on label boundaries.

/// Why a URL field is not acceptable, and what it probably should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlProblem {
    pub message: String,
    pub suggestion: Option<String>,
}

/// Checks an absolute http(s) URL and returns its lower-case host.
pub fn check_url(raw: &str) -> Result<String, UrlProblem> {
    let s = raw.trim();
    let fail = |message: String, suggestion: Option<String>| Err(UrlProblem { message, suggestion });
    if s.is_empty() {
        return fail("the URL is empty".into(), None);
    }
    if let Some(pos) = s.find(|c: char| c.is_whitespace() || c.is_control()) {
        let what = if s[pos..].starts_with(char::is_whitespace) { "a space" } else { "a control character" };
        let fixed = s.replace(' ', "%20");
        let suggestion = (fixed != s && !fixed.contains(char::is_whitespace)).then_some(fixed);
        return fail(format!("the URL contains {what}; encode it (a space is `%20`)"), suggestion);
    }
    if s.contains('\\') {
        return fail("the URL contains a backslash; URLs use `/`".into(), Some(s.replace('\\', "/")));
    }
    let Some((scheme, rest)) = s.split_once("://") else {
        return missing_slashes(s).unwrap_or_else(|| no_scheme(s));
    };
    let lower = scheme.to_ascii_lowercase();
    if lower != "http" && lower != "https" {
        return bad_scheme(scheme, rest);
    }
    let parsed = url::Url::parse(s)
        .map_err(|err| UrlProblem { message: format!("the URL is malformed: {err}"), suggestion: None })?;
    match parsed.host() {
        Some(url::Host::Domain(domain)) if !domain.contains('.') && domain != "localhost" => {
            fail(format!("`{domain}` is not a full host name (it has no dot)"), None)
        }
        Some(host) => Ok(host.to_string().to_ascii_lowercase()),
        None => fail("the URL has no host".into(), None),
    }
}

/// `http:/host` or `https:host`: the scheme is right but `//` is not.
fn missing_slashes(s: &str) -> Option<Result<String, UrlProblem>> {
    let (scheme, rest) = s.split_once(':')?;
    let lower = scheme.to_ascii_lowercase();
    if lower != "http" && lower != "https" {
        return None;
    }
    let fixed = format!("{lower}://{}", rest.trim_start_matches('/'));
    let message = format!("`{scheme}:` must be followed by `//`; did you mean `{fixed}`?");
    Some(Err(UrlProblem { message, suggestion: Some(fixed) }))
}

fn no_scheme(s: &str) -> Result<String, UrlProblem> {
    if let Some(rest) = s.strip_prefix("//") {
        let message = "the URL has no scheme (it is protocol-relative); write `https:` before it".to_string();
        return Err(UrlProblem { message, suggestion: Some(format!("https://{rest}")) });
    }
    let host = s.split(['/', '?', '#']).next().unwrap_or("");
    let looks_like_host =
        host.contains('.') && !host.contains(':') && host.chars().all(|c| c.is_alphanumeric() || "-.".contains(c));
    let suggestion = looks_like_host.then(|| format!("https://{s}"));
    let message = match &suggestion {
        Some(fixed) => format!("the URL has no scheme; did you mean `{fixed}`?"),
        None => "not an absolute URL: it needs `https://` or `http://` and a host".to_string(),
    };
    Err(UrlProblem { message, suggestion })
}

fn bad_scheme(scheme: &str, rest: &str) -> Result<String, UrlProblem> {
    let lower = scheme.to_ascii_lowercase();
    // One slip (`htps`, `hhtp`) or two in a scheme that still starts like one (`htttps`);
    // `ftp` is a different protocol, not a typo.
    let close = ["https", "http"].into_iter().find(|known| {
        let distance = strsim::damerau_levenshtein(&lower, known);
        distance <= 1 || (distance == 2 && lower.starts_with('h'))
    });
    let (message, suggestion) = match close {
        Some(known) => {
            (format!("unknown scheme `{scheme}`; did you mean `{known}`?"), Some(format!("{known}://{rest}")))
        }
        None => (format!("`{scheme}` URLs are not allowed here; use an http(s) URL"), None),
    };
    Err(UrlProblem { message, suggestion })
}

/// The provider domain as written, normalised for comparison (`WWW.Example.com.` -> `example.com`).
pub fn normalise_domain(domain: &str) -> String {
    let lower = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    lower.strip_prefix("www.").map(str::to_string).unwrap_or(lower)
}

/// `host` is `domain` or one of its subdomains (`en.trend.az` matches `trend.az`, but
/// `skynews.com.au` does not match `news.com.au`).
pub fn host_matches(host: &str, domain: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let domain = normalise_domain(domain);
    !domain.is_empty() && (host == domain || host.strip_suffix(&domain).is_some_and(|prefix| prefix.ends_with('.')))
}

/// The domain to suggest for a host (`www.rferl.org` -> `rferl.org`).
pub fn domain_of_host(host: &str) -> String {
    normalise_domain(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_urls_give_hosts() {
        assert_eq!(check_url("https://www.rferl.org/a/x.html").unwrap(), "www.rferl.org");
        assert_eq!(check_url("HTTP://Example.COM:8080/").unwrap(), "example.com");
    }

    #[test]
    fn invalid_urls_explain() {
        let p = check_url("www.rferl.org/a/x.html").unwrap_err();
        assert_eq!(p.suggestion.as_deref(), Some("https://www.rferl.org/a/x.html"));
        let p = check_url("htps://x.org/a").unwrap_err();
        assert!(p.message.contains("did you mean `https`"), "{}", p.message);
        assert!(check_url("https://x.org/a b").unwrap_err().message.contains("space"));
        assert!(check_url("ftp://x.org/a").is_err());
        assert!(check_url("https://intranet/a").is_err());
        assert!(check_url("http:/x.org").is_err());
        assert!(check_url("").is_err());
    }

    #[test]
    fn domains_match_on_label_boundaries() {
        assert!(host_matches("en.trend.az", "trend.az"));
        assert!(host_matches("www.rferl.org", "rferl.org"));
        assert!(host_matches("rferl.org", "www.rferl.org"));
        assert!(!host_matches("skynews.com.au", "news.com.au"));
        assert!(!host_matches("trend.az.evil.com", "trend.az"));
    }
}
