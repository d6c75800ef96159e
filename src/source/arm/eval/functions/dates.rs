//! Date functions. Their usual input, `utcNow()`, is unknown before deployment, so these only
//! compute when given a fixed date.

use super::{known, Args, Outcome};
use crate::source::arm::eval::EvalValue;
use chrono::{DateTime, Duration, Months, NaiveDateTime, SecondsFormat, Utc};

/// `dateTimeAdd(base, duration, format?)` with an ISO 8601 duration (`P1Y2M3DT4H5M6S`, `-P1D`).
pub fn date_time_add(args: &Args) -> Outcome {
    args.count(2, Some(3))?;
    let base = parse_date(args.string(0)?).ok_or_else(|| args.error("argument 1 is not an ISO 8601 date and time"))?;
    let duration = args.string(1)?;
    let shifted = add_duration(base, duration)
        .ok_or_else(|| args.error(format!("'{duration}' is not an ISO 8601 duration in range")))?;
    if args.len() == 3 {
        return Ok(EvalValue::unknown("dateTimeAdd(): custom date formats are not supported by kvscan"));
    }
    known(shifted.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

pub fn date_time_to_epoch(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    let date = parse_date(args.string(0)?).ok_or_else(|| args.error("argument 1 is not an ISO 8601 date and time"))?;
    known(date.timestamp())
}

pub fn date_time_from_epoch(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    let seconds = args.integer(0)?;
    let date = DateTime::from_timestamp(seconds, 0).ok_or_else(|| args.error(format!("{seconds} is out of range")))?;
    known(date.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// RFC 3339, or a date and time without zone (read as UTC), with `T` or a space.
fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date.with_timezone(&Utc));
    }
    let text = text.trim_end_matches('Z');
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|pattern| NaiveDateTime::parse_from_str(text, pattern).ok())
        .map(|naive| naive.and_utc())
}

/// Applies an ISO 8601 duration: calendar parts (years, months) first, then the exact ones.
fn add_duration(base: DateTime<Utc>, duration: &str) -> Option<DateTime<Utc>> {
    let (negative, rest) = match duration.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, duration),
    };
    let rest = rest.strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let mut months: i64 = 0;
    let mut exact = Duration::zero();
    let mut any = false;
    for (value, unit) in components(date_part)? {
        any = true;
        match unit {
            'Y' => months = months.checked_add(value.checked_mul(12)?)?,
            'M' => months = months.checked_add(value)?,
            'W' => exact = exact.checked_add(&Duration::try_weeks(value)?)?,
            'D' => exact = exact.checked_add(&Duration::try_days(value)?)?,
            _ => return None,
        }
    }
    if let Some(time_part) = time_part {
        for (value, unit) in components(time_part)? {
            any = true;
            match unit {
                'H' => exact = exact.checked_add(&Duration::try_hours(value)?)?,
                'M' => exact = exact.checked_add(&Duration::try_minutes(value)?)?,
                'S' => exact = exact.checked_add(&Duration::try_seconds(value)?)?,
                _ => return None,
            }
        }
    }
    if !any {
        return None;
    }
    let months = u32::try_from(months).ok()?;
    if negative {
        base.checked_sub_months(Months::new(months))?.checked_sub_signed(exact)
    } else {
        base.checked_add_months(Months::new(months))?.checked_add_signed(exact)
    }
}

/// `1Y2M` → `[(1, 'Y'), (2, 'M')]`; whole numbers only.
fn components(text: &str) -> Option<Vec<(i64, char)>> {
    let mut parts = Vec::new();
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            parts.push((digits.parse::<i64>().ok()?, c));
            digits.clear();
        }
    }
    digits.is_empty().then_some(parts)
}
