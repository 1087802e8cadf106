//! IL501 network-exposure: the server listens beyond this machine and nobody has to log in.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::{flag_of, interpolated, setting, text};
use crate::rules::util::target_phrase;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL501",
    name: "network-exposure",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "host binds beyond this machine while no login is required",
    doc: include_str!("../../rules/network-exposure.md"),
};

/// The release that added `multiuser` (logins); before it every client is the administrator.
const MULTIUSER_SINCE: &str = "6.12.0";

pub struct NetworkExposure;

/// Addresses only this machine can reach: 127.0.0.0/8, ::1, `localhost`.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    let h = h.to_ascii_lowercase();
    if h == "localhost" || h.ends_with(".localhost") || h == "::1" {
        return true;
    }
    match h.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

impl Rule for NetworkExposure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(s) = setting(cx, "host") else {
            return;
        };
        let Some(host) = text(s.value) else { return };
        // `${…}`: OmegaConf fills it in 3.x; in 4.x+ it is no address at all (another finding's business).
        if host.trim().is_empty()
            || is_loopback(host)
            || interpolated(cx, host)
            || host.contains("${")
        {
            return;
        }
        let has_logins = cx.target.at_least(MULTIUSER_SINCE);
        if has_logins && flag_of(cx, "multiuser").is_some_and(|(on, _)| on) {
            return;
        }
        let reach = match host.trim() {
            "0.0.0.0" => "every IPv4 address of this machine".to_string(),
            "::" | "[::]" => "every address of this machine".to_string(),
            other => format!("the address {other}, reachable from other machines"),
        };
        let login = if has_logins {
            "`multiuser` is off, so every client is served as the built-in administrator with no login"
        } else {
            "this release has no login at all (multiuser mode arrived in 6.12.0)"
        };
        let help = if has_logins {
            "Set `multiuser: true` so users must log in, or bind to `127.0.0.1` and reach the server \
             through an SSH tunnel or an authenticating reverse proxy. In Docker, leave `host` out of \
             the file: the image sets INVOKEAI_HOST=0.0.0.0 itself"
        } else {
            "Bind to `127.0.0.1` and reach the server through an SSH tunnel or an authenticating \
             reverse proxy, or upgrade to 6.12.0 or later and set `multiuser: true`. In Docker, leave \
             `host` out of the file: the image sets the host itself"
        };
        out.push(
            Diagnostic::new(
                &META,
                cx.config.loc(s.value.span),
                format!(
                    "`host: {}` serves {} on {reach}, and {login}: anyone on the network can run \
                     generations, install models and read or delete every image",
                    host.trim(),
                    target_phrase(cx.target),
                ),
            )
            .key(s.path())
            .label("reachable from the network without a login")
            .help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_addresses() {
        for h in [
            "127.0.0.1",
            "127.1.2.3",
            "localhost",
            "::1",
            "[::1]",
            "LOCALHOST",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["0.0.0.0", "::", "192.168.1.10", "myhost", "10.0.0.1"] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
