//! Horizontal bar charts as inline SVG, written here rather than by a charting library: bars are a
//! few rectangles, and owning the markup means every label (some are principal display names)
//! is escaped in one place. Each bar carries its number as text, so the chart reads without colour
//! and in print.

use super::text::escape_xml;
use std::fmt::Write as _;

pub struct Bar {
    pub label: String,
    pub value: usize,
    pub color: &'static str,
}

const WIDTH: usize = 600;
const LABEL_WIDTH: usize = 230;
const BAR_AREA: usize = 300;
const ROW: usize = 24;
const TOP: usize = 34;
const LABEL_CHARS: usize = 28;

/// Colours with at least 4.5:1 contrast against white (WCAG AA for the text drawn beside them).
pub const CRITICAL: &str = "#8b1a1a";
pub const HIGH: &str = "#b03a0a";
pub const MEDIUM: &str = "#8a5a00";
pub const LOW: &str = "#1f4f96";
pub const NEUTRAL: &str = "#3b4a5a";

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
        short.push('…');
        short
    }
}

/// `id` names the chart for the page's script and its accessible title.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let rows = bars.len().max(1);
    let height = TOP + rows * ROW + 8;
    let mut svg = String::new();
    let id = escape_xml(id);
    let title = escape_xml(title);
    let _ = write!(
        svg,
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\
         <title id=\"{id}-title\">{title}</title>\
         <text x=\"0\" y=\"18\" font-weight=\"600\" font-size=\"14\" fill=\"#111827\">{title}</text>"
    );
    if bars.is_empty() {
        let _ = write!(svg, "<text x=\"0\" y=\"{}\" fill=\"#374151\">none</text>", TOP + 14);
    }
    for (index, bar) in bars.iter().enumerate() {
        let y = TOP + index * ROW;
        let width = bar.value * BAR_AREA / max;
        let label = escape_xml(&bar.label);
        let short = escape_xml(&shorten(&bar.label));
        let _ = write!(
            svg,
            "<g class=\"bar\"><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#111827\">{short}</text>\
             <rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"{color}\"><title>{label}: {value}</title></rect>\
             <text x=\"{vx}\" y=\"{ty}\" fill=\"#111827\">{value}</text></g>",
            lx = LABEL_WIDTH - 8,
            ty = y + 13,
            color = bar.color,
            value = bar.value,
            vx = LABEL_WIDTH + width + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_labels_are_escaped() {
        let bars = [
            Bar { label: "<script>alert(1)</script>".into(), value: 4, color: HIGH },
            Bar { label: "low".into(), value: 1, color: LOW },
        ];
        let svg = bar_chart("c", "Findings & more", &bars);
        assert!(svg.contains(&format!("width=\"{BAR_AREA}\"")));
        assert!(svg.contains(&format!("width=\"{}\"", BAR_AREA / 4)));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("Findings &amp; more"));
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten(&"x".repeat(40)).chars().count(), LABEL_CHARS);
        assert_eq!(shorten("short"), "short");
    }
}
