//! Dates: strict RFC 3339 for front matter fields, calendar validity everywhere, and the dated
//! lines of plain-text bodies (`2021-03-02`, `16.09.2021 - `, `26 September 2021`, `Aug 4, 2021`).

use std::ops::Range;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;

/// Why a date-time field is not acceptable, and what would be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateProblem {
    pub message: String,
    /// The RFC 3339 form, when it can be worked out.
    pub suggestion: Option<String>,
    /// The suggestion denotes exactly the same instant (only the notation changes).
    pub exact: bool,
}

/// Parses a strict RFC 3339 date-time, explaining any problem.
pub fn parse_datetime(raw: &str) -> Result<Timestamp, DateProblem> {
    let s = raw.trim();
    let Some(parts) = Parts::scan(s) else {
        return Err(DateProblem {
            message: format!("`{s}` is not a date; write an RFC 3339 date-time such as `2021-09-26T06:17:00Z`"),
            suggestion: None,
            exact: false,
        });
    };
    if let Some(reason) = parts.impossibility() {
        return Err(DateProblem { message: format!("`{s}` cannot exist: {reason}"), suggestion: None, exact: false });
    }
    if parts.is_rfc3339() {
        if let Some(ts) = parts.timestamp() {
            return Ok(ts);
        }
    }
    Err(parts.explain(s))
}

/// Formats an instant the way the schema wants it (`2021-09-26T06:17:00Z`).
pub fn format_rfc3339(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A date at the start of a body line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedLine {
    /// Byte range of the date within the line.
    pub range: Range<usize>,
    pub year: i16,
    pub month: i8,
    pub day: i8,
    /// The month was written as a number (so "no month 13" is a possible finding).
    pub numeric_month: bool,
}

impl DatedLine {
    /// Why this date cannot exist, if it cannot.
    pub fn impossibility(&self) -> Option<String> {
        calendar_problem(self.year, self.month, self.day)
    }

    pub fn date(&self) -> Option<Date> {
        Date::new(self.year, self.month, self.day).ok()
    }
}

/// Recognises a line that starts with a date (after blanks and an optional `date` word).
pub fn dated_line(line: &str) -> Option<DatedLine> {
    let trimmed = line.trim_start();
    let mut start = line.len() - trimmed.len();
    let rest = &line[start..];
    let lower = rest.get(..5).map(str::to_ascii_lowercase);
    if lower.as_deref() == Some("date ") || lower.as_deref() == Some("date:") {
        let after = rest[5..].trim_start();
        start += rest.len() - after.len();
    }
    let rest = &line[start..];
    let found = iso_date(rest)
        .or_else(|| dotted_date(rest))
        .or_else(|| day_month_year(rest))
        .or_else(|| month_day_year(rest))?;
    let (len, year, month, day, numeric_month) = found;
    Some(DatedLine { range: start..start + len, year, month, day, numeric_month })
}

type Found = (usize, i16, i8, i8, bool);

/// `2021-03-02`
fn iso_date(s: &str) -> Option<Found> {
    if !shaped(s, "dddd-dd-dd") {
        return None;
    }
    Some((10, num(&s[0..4])?, num(&s[5..7])?, num(&s[8..10])?, true))
}

/// `16.09.2021` (day.month.year)
fn dotted_date(s: &str) -> Option<Found> {
    if !shaped(s, "dd.dd.dddd") {
        return None;
    }
    Some((10, num(&s[6..10])?, num(&s[3..5])?, num(&s[0..2])?, true))
}

/// `26 September 2021`, `4 Aug 2021`, `4 Sept. 2021`
fn day_month_year(s: &str) -> Option<Found> {
    let (day, rest) = leading_number(s, 2)?;
    let after_day = rest.strip_prefix(' ')?;
    let (month, month_len) = month_name(after_day)?;
    let after_month = after_day[month_len..].strip_prefix(' ')?;
    let (year, tail) = leading_number(after_month, 4)?;
    if after_month.len() - tail.len() != 4 {
        return None;
    }
    Some((s.len() - tail.len(), year as i16, month, day as i8, false))
}

/// `August 4, 2021`, `Sep 4 2021`
fn month_day_year(s: &str) -> Option<Found> {
    let (month, month_len) = month_name(s)?;
    let after_month = s[month_len..].strip_prefix(' ')?;
    let (day, rest) = leading_number(after_month, 2)?;
    let rest = rest.strip_prefix(',').unwrap_or(rest).strip_prefix(' ')?;
    let (year, tail) = leading_number(rest, 4)?;
    if rest.len() - tail.len() != 4 {
        return None;
    }
    Some((s.len() - tail.len(), year as i16, month, day as i8, false))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A month name or common abbreviation at the start of `s` (`Sep`, `Sept.`), with its length.
fn month_name(s: &str) -> Option<(i8, usize)> {
    let word_len = s.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(s.len());
    let word = &s[..word_len];
    if word.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| {
        m.eq_ignore_ascii_case(word)
            || (word.len() <= 4
                && m.get(..word.len()).is_some_and(|p| p.eq_ignore_ascii_case(word))
                && (word.len() == 3 || word.eq_ignore_ascii_case("sept")))
    })?;
    let is_abbreviation = word.len() < MONTHS[index].len();
    let len = if is_abbreviation && s[word_len..].starts_with('.') { word_len + 1 } else { word_len };
    Some((index as i8 + 1, len))
}

fn leading_number(s: &str, max_digits: usize) -> Option<(i32, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > max_digits {
        return None;
    }
    Some((s[..len].parse().ok()?, &s[len..]))
}

/// `s` starts with `pattern` (`d` = any ASCII digit, other bytes literal) and no further digit
/// follows, so `2021-03-021` is not a date.
fn shaped(s: &str, pattern: &str) -> bool {
    let b = s.as_bytes();
    let fits = b.len() >= pattern.len()
        && pattern.bytes().zip(b).all(|(p, c)| if p == b'd' { c.is_ascii_digit() } else { p == *c });
    fits && !b.get(pattern.len()).is_some_and(u8::is_ascii_digit)
}

fn digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    s.parse().ok()
}

/// Why year-month-day cannot exist (`February 2021 has 28 days`), if it cannot.
pub fn calendar_problem(year: i16, month: i8, day: i8) -> Option<String> {
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month} (months run from 01 to 12)"));
    }
    let first = Date::new(year, month, 1).ok()?;
    let days = first.days_in_month();
    if day < 1 || day > days {
        let name = MONTHS[(month - 1) as usize];
        return Some(format!("{name} {year} has {days} days"));
    }
    None
}

/// The pieces of a date-time as written, before validation.
#[derive(Debug, Default)]
struct Parts {
    year: i16,
    month: i8,
    day: i8,
    /// How the date was written.
    date_form: DateForm,
    /// `T`, `t` or a blank between date and time (`None` without a time).
    separator: Option<char>,
    time: Option<(i8, i8, Option<i8>, Option<String>)>,
    /// Offset in seconds and whether it was written RFC 3339 style (`Z`, `+03:00`).
    offset: Option<(i32, bool)>,
}

#[derive(Debug, Default, PartialEq, Eq)]
enum DateForm {
    #[default]
    Iso,
    /// `26/09/2021` read as day/month/year; `ambiguous` when both could be a month.
    Slashed {
        ambiguous: bool,
    },
    Dotted,
}

impl Parts {
    fn scan(s: &str) -> Option<Parts> {
        let (mut parts, rest) = Parts::scan_date(s)?;
        let rest = parts.scan_time(rest)?;
        let rest = parts.scan_offset(rest)?;
        rest.is_empty().then_some(parts)
    }

    fn scan_date(s: &str) -> Option<(Parts, &str)> {
        if let Some((len, year, month, day, _)) = iso_date(s) {
            return Some((Parts { year, month, day, ..Parts::default() }, &s[len..]));
        }
        if let Some((len, year, month, day, _)) = dotted_date(s) {
            return Some((Parts { year, month, day, date_form: DateForm::Dotted, ..Parts::default() }, &s[len..]));
        }
        if shaped(s, "dd/dd/dddd") {
            let (first, second): (i8, i8) = (num(&s[0..2])?, num(&s[3..5])?);
            let ambiguous = first <= 12 && second <= 12 && first != second;
            let form = DateForm::Slashed { ambiguous };
            return Some((
                Parts { year: num(&s[6..10])?, month: second, day: first, date_form: form, ..Parts::default() },
                &s[10..],
            ));
        }
        None
    }

    fn scan_time<'s>(&mut self, s: &'s str) -> Option<&'s str> {
        let Some(sep) = s.chars().next().filter(|c| matches!(c, 'T' | 't' | ' ')) else {
            return Some(s);
        };
        let b = s.as_bytes();
        if !(b.len() >= 6 && digits(&b[1..3]) && b[3] == b':' && digits(&b[4..6])) {
            return (s.trim().is_empty()).then_some("");
        }
        let (hour, minute) = (num(&s[1..3])?, num(&s[4..6])?);
        let mut rest = &s[6..];
        let mut second = None;
        let mut fraction = None;
        if rest.len() >= 3 && rest.as_bytes()[0] == b':' && digits(&rest.as_bytes()[1..3]) {
            second = Some(num(&rest[1..3])?);
            rest = &rest[3..];
            if let Some(frac) = rest.strip_prefix('.') {
                let n = frac.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 {
                    return None;
                }
                fraction = Some(frac[..n].to_string());
                rest = &frac[n..];
            }
        }
        self.separator = Some(sep);
        self.time = Some((hour, minute, second, fraction));
        Some(rest)
    }

    fn scan_offset<'s>(&mut self, s: &'s str) -> Option<&'s str> {
        let s = s.trim_start();
        if s.is_empty() {
            return Some(s);
        }
        for (name, exact) in [("Z", true), ("z", true), ("UTC", false), ("GMT", false)] {
            if let Some(rest) = s.strip_prefix(name) {
                self.offset = Some((0, exact));
                return Some(rest);
            }
        }
        let sign = match s.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let b = &s.as_bytes()[1..];
        let (hours, minutes, len, exact) = if b.len() >= 5 && digits(&b[0..2]) && b[2] == b':' && digits(&b[3..5]) {
            (num::<i32>(&s[1..3])?, num::<i32>(&s[4..6])?, 6, true)
        } else if b.len() >= 4 && digits(&b[0..4]) {
            (num::<i32>(&s[1..3])?, num::<i32>(&s[3..5])?, 5, false)
        } else {
            return None;
        };
        if hours > 23 || minutes > 59 {
            return None;
        }
        self.offset = Some((sign * (hours * 3600 + minutes * 60), exact));
        Some(&s[len..])
    }

    fn impossibility(&self) -> Option<String> {
        if let Some(problem) = calendar_problem(self.year, self.month, self.day) {
            return Some(problem);
        }
        let (hour, minute, second, _) = self.time.as_ref()?;
        if *hour > 23 {
            return Some(format!("there is no hour {hour} (hours run from 00 to 23)"));
        }
        if *minute > 59 {
            return Some(format!("there is no minute {minute} (minutes run from 00 to 59)"));
        }
        match second {
            Some(s) if *s > 60 || (*s == 60 && (*hour, *minute) != (23, 59)) => {
                Some(format!("there is no second {s} (seconds run from 00 to 59)"))
            }
            _ => None,
        }
    }

    fn is_rfc3339(&self) -> bool {
        let time_ok = matches!(&self.time, Some((_, _, Some(_), _)));
        self.date_form == DateForm::Iso
            && matches!(self.separator, Some('T' | 't'))
            && time_ok
            && matches!(self.offset, Some((_, true)))
    }

    fn timestamp(&self) -> Option<Timestamp> {
        let (hour, minute, second, fraction) = self.time.as_ref()?;
        let nanos = fraction.as_ref().map_or(0, |f| {
            let digits: String = f.chars().chain(std::iter::repeat('0')).take(9).collect();
            digits.parse::<i32>().unwrap_or(0)
        });
        // A leap second is valid RFC 3339; count it as the last representable instant.
        let second = (*second).unwrap_or(0).min(59);
        let dt = DateTime::new(self.year, self.month, self.day, *hour, *minute, second, nanos).ok()?;
        let (offset_seconds, _) = self.offset?;
        Offset::from_seconds(offset_seconds).ok()?.to_timestamp(dt).ok()
    }

    fn rfc3339(&self) -> String {
        let date = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        let Some((hour, minute, second, fraction)) = &self.time else {
            return date;
        };
        let mut out = format!("{date}T{hour:02}:{minute:02}:{:02}", second.unwrap_or(0));
        if let Some(f) = fraction {
            out.push('.');
            out.push_str(f);
        }
        match self.offset {
            None | Some((0, _)) => out.push('Z'),
            Some((secs, _)) => {
                let sign = if secs < 0 { '-' } else { '+' };
                let abs = secs.abs();
                out.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60));
            }
        }
        out
    }

    fn explain(&self, s: &str) -> DateProblem {
        let not = format!("`{s}` is not an RFC 3339 date-time");
        if let DateForm::Slashed { ambiguous: true } = self.date_form {
            let message = format!("{not}, and it is ambiguous: day/month or month/day? Write it as YYYY-MM-DD");
            return DateProblem { message, suggestion: None, exact: false };
        }
        let form = self.rfc3339();
        let (message, exact) = match (&self.time, self.offset) {
            (None, _) => (format!("{not}: it has no time; at midnight UTC it would be `{form}T00:00:00Z`"), false),
            (Some(_), None) => (format!("{not}: it has no UTC offset; if the time is UTC, write `{form}`"), false),
            (Some(_), Some(_)) => (format!("{not}; write `{form}`"), true),
        };
        let suggestion = if self.time.is_none() { format!("{form}T00:00:00Z") } else { form };
        DateProblem { message, suggestion: Some(suggestion), exact }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(s: &str) -> DateProblem {
        parse_datetime(s).unwrap_err()
    }

    #[test]
    fn accepts_rfc3339() {
        for ok in ["2021-09-26T06:17:00Z", "2021-09-26t06:17:00.123+03:00", "2016-12-31T23:59:60Z"] {
            assert!(parse_datetime(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn explains_what_is_wrong_and_what_is_right() {
        let p = problem("2021-09-26 06:17");
        assert!(p.message.contains("no UTC offset"), "{}", p.message);
        assert_eq!(p.suggestion.as_deref(), Some("2021-09-26T06:17:00Z"));
        assert!(!p.exact);
        let p = problem("2021-09-26 06:17:00+0300");
        assert_eq!((p.suggestion.as_deref(), p.exact), (Some("2021-09-26T06:17:00+03:00"), true));
        assert!(problem("yesterday").message.contains("is not a date"));
        assert_eq!(problem("26/09/2021").suggestion.as_deref(), Some("2021-09-26T00:00:00Z"));
        assert!(problem("04/08/2021").message.contains("ambiguous"));
        assert!(problem("2021-02-30T00:00:00Z").message.contains("February 2021 has 28 days"));
        assert!(problem("2021-13-01T00:00:00Z").message.contains("no month 13"));
        assert!(problem("2021-01-01T25:61:00Z").message.contains("no hour 25"));
        assert!(problem("2024-02-30").message.contains("February 2024 has 29 days"));
    }

    #[test]
    fn dated_lines() {
        let d = dated_line(" date 2021-03-02 MOSCOW").unwrap();
        assert_eq!((d.range, d.year, d.month, d.day), (6..16, 2021, 3, 2));
        let d = dated_line("16.09.2021 - Address").unwrap();
        assert_eq!((d.year, d.month, d.day), (2021, 9, 16));
        let d = dated_line("26 September 2021").unwrap();
        assert_eq!((d.range, d.month), (0..17, 9));
        let d = dated_line("August 4, 2021").unwrap();
        assert_eq!((d.range, d.day), (0..14, 4));
        assert_eq!(dated_line("Sept. 31, 2021").unwrap().impossibility().unwrap(), "September 2021 has 30 days");
        assert_eq!(dated_line("4 Sep 2021").unwrap().month, 9);
        for not_a_date in
            ["Moscow: 16:04", "1302 days have passed", "1. The goal", "3.14159", "Mayday 4 2021", "May 2021"]
        {
            assert_eq!(dated_line(not_a_date), None, "{not_a_date}");
        }
    }
}
