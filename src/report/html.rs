//! The HTML report: one self-contained page (inline CSS, inline SVG charts, a small inline script
//! for sorting and filtering; no request leaves the page). A Content-Security-Policy allows only
//! the page's own style and script, by hash, as a second line of defence behind escaping: even a
//! value that escaped escaping could not run a script or load anything.

use super::charts::{self, Bar};
use super::markdown::render_template;
use super::model::AccessReview;
use super::templates::HTML_TEMPLATE;
use super::view::{self, Count};
use minijinja::Value;
use sha2::{Digest, Sha256};

const STYLE: &str = include_str!("templates/report.css");
const SCRIPT: &str = include_str!("templates/report.js");

fn severity_color(name: &str) -> &'static str {
    match name {
        "critical" => charts::CRITICAL,
        "high" => charts::HIGH,
        "medium" => charts::MEDIUM,
        "low" => charts::LOW,
        _ => charts::NEUTRAL,
    }
}

fn bars(counts: &[Count]) -> Vec<Bar> {
    counts.iter().map(|c| Bar { label: c.label.clone(), value: c.count, color: severity_color(&c.class) }).collect()
}

/// `sha256-<base64>` of a style or script, for the Content-Security-Policy.
fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn render(review: &AccessReview) -> Result<String, minijinja::Error> {
    let view = view::view(review);
    let mut reach: Vec<(&str, usize)> = view.principals.iter().map(|p| (p.label.as_str(), p.vaults)).collect();
    reach.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.to_ascii_lowercase().cmp(&b.0.to_ascii_lowercase())));
    let reach: Vec<Bar> = reach
        .into_iter()
        .take(10)
        .map(|(label, value)| Bar { label: label.into(), value, color: charts::NEUTRAL })
        .collect();
    let charts = [
        (
            "findings_by_severity",
            charts::bar_chart("chart-findings-severity", "Findings by severity", &bars(&view.findings_by_severity)),
        ),
        (
            "findings_by_rule",
            charts::bar_chart("chart-findings-rule", "Findings by rule", &bars(&view.findings_by_rule)),
        ),
        (
            "risky_by_severity",
            charts::bar_chart("chart-risky-severity", "Risky grants by severity", &bars(&view.risky_by_severity)),
        ),
        ("principal_reach", charts::bar_chart("chart-principal-reach", "Principals reaching the most vaults", &reach)),
        ("secret_ages", charts::bar_chart("chart-secret-ages", "Ages of enabled secrets", &bars(&view.age_histogram))),
    ];
    let charts: std::collections::BTreeMap<&str, Value> =
        charts.into_iter().map(|(name, svg)| (name, Value::from_safe_string(svg))).collect();
    let csp = format!(
        "default-src 'none'; style-src {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    );
    let context = minijinja::context! {
        charts => charts,
        style => Value::from_safe_string(STYLE.to_string()),
        script => Value::from_safe_string(SCRIPT.to_string()),
        csp => csp,
        ..Value::from(minijinja::value::Serde(&view))
    };
    render_template(HTML_TEMPLATE, context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        // The well-known CSP example: sha256 of "alert('Hello, world.');"
        assert_eq!(csp_hash("alert('Hello, world.');"), "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='");
    }
}
