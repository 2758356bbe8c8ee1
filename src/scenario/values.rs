//! Value parsing for scenario keys: numbers, prices, dates, distributions and export
//! schedules, each checked against the documented range of its quantity (README "Limits").
//! Out of range is an error naming the key, never a clamp.

use jiff::civil::Date;
use toml::Value;

use super::locate::Seg;
use super::{Dist, Exports};
use crate::calendar::Calendar;

/// A validation failure at a key path, before it is located in the text.
#[derive(Debug)]
pub(super) struct Invalid {
    pub path: Vec<Seg>,
    pub message: String,
}

pub(super) type Result<T> = std::result::Result<T, Invalid>;

pub(super) fn invalid<T>(path: Vec<Seg>, message: impl std::fmt::Display) -> Result<T> {
    Err(Invalid {
        path,
        message: message.to_string(),
    })
}

pub(super) fn with(path: &[Seg], seg: impl Into<Seg>) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(seg.into());
    p
}

/// The documented range of a quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Unit, for messages.
    pub unit: &'static str,
}

/// Image sizes: up to the 2 TB image limit (domain.md section 4).
pub const SIZE_GB: Bounds = Bounds {
    min: 0.0,
    max: 2048.0,
    unit: "GB",
};
/// Export and replication durations: up to one year.
pub const HOURS: Bounds = Bounds {
    min: 0.0,
    max: 8760.0,
    unit: "hours",
};
/// Unit prices, in any currency: up to one million per GB, GB-month or disk-month (real ones
/// are below 100 even in yen).
pub const PRICE: Bounds = Bounds {
    min: 0.0,
    max: crate::catalog::prices::MAX_PRICE,
    unit: "per unit",
};
/// `exports = { every_days = N }`: from one hour to 100 years.
pub const EVERY_DAYS: Bounds = Bounds {
    min: 1.0 / 24.0,
    max: 36_500.0,
    unit: "days",
};
/// `exports = { per_month = x }`: from one export in 1,000 months to 1,000 a month.
pub const PER_MONTH: Bounds = Bounds {
    min: 0.001,
    max: 1000.0,
    unit: "exports per month",
};
/// Target minutes of a deployment (`--target-minutes`): up to a week.
pub const TARGET_MINUTES: Bounds = Bounds {
    min: 0.0,
    max: 10_080.0,
    unit: "minutes",
};
/// A distribution may exceed its quantity's range only with this probability.
pub const TAIL: f64 = 1e-9;

/// A command-line value outside its quantity's range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("must be {} to {} {} (got {got})", bounds.min, bounds.max, bounds.unit)]
pub struct OutOfRange {
    /// The range.
    pub bounds: Bounds,
    /// The value, as shown.
    pub got: String,
}

impl Bounds {
    /// Checks `x` against the range (a command-line value: the message for the user).
    pub fn check_arg(&self, x: f64) -> std::result::Result<f64, OutOfRange> {
        if x >= self.min && x <= self.max {
            Ok(x)
        } else {
            Err(OutOfRange {
                bounds: *self,
                got: show(x),
            })
        }
    }

    /// Checks a scenario value at `path` against the range.
    pub(super) fn check(&self, x: f64, path: Vec<Seg>) -> Result<f64> {
        self.check_arg(x).map_err(|e| Invalid {
            path,
            message: e.to_string(),
        })
    }
}

/// A number as written in messages: plain when short, `1e308` when huge or tiny.
fn show(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && a.is_finite() && !(1e-6..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A whole number in `min..=max`, converted without wrapping.
pub(super) fn whole(value: i64, min: i64, max: i64, path: Vec<Seg>) -> Result<u32> {
    if (min..=max).contains(&value) {
        u32::try_from(value).or_else(|_| invalid(path, format!("must be {min} to {max}")))
    } else {
        invalid(path, format!("must be {min} to {max} (got {value})"))
    }
}

pub(super) fn number(value: &Value, path: Vec<Seg>) -> Result<f64> {
    match value {
        Value::Integer(i) => Ok(*i as f64),
        Value::Float(f) if f.is_finite() => Ok(*f),
        Value::Float(f) => invalid(path, format!("expected a number, found {f}")),
        other => invalid(
            path,
            format!("expected a number, found {}", other.type_str()),
        ),
    }
}

pub(super) fn price_value(value: &Value, path: Vec<Seg>) -> Result<f64> {
    let price = number(value, path.clone())?;
    PRICE.check(price, path)
}

/// Most replicas of one image version in one region. Azure Compute Gallery, "Best
/// practices": "you can have a maximum of 50 replicas per region"
/// (<https://learn.microsoft.com/azure/virtual-machines/azure-compute-gallery>).
pub const MAX_REPLICAS_PER_REGION: u32 = 50;
/// Most replicas of one image version over all its regions. Same page, "Limits": "There's a
/// limit of 100 replicas per image version."
pub const MAX_REPLICAS_PER_VERSION: u32 = 100;

pub(super) fn replica_count(value: &Value, path: Vec<Seg>) -> Result<u32> {
    let max = i64::from(MAX_REPLICAS_PER_REGION);
    match value {
        Value::Integer(n) if (1..=max).contains(n) => Ok(*n as u32),
        Value::Integer(n) => invalid(
            path,
            format!(
                "replicas per region must be 1..={max} (Azure's maximum per region of an image version); got {n}"
            ),
        ),
        other => invalid(
            path,
            format!(
                "expected a whole number of replicas or a table region -> number, found {}",
                other.type_str()
            ),
        ),
    }
}

pub(super) fn date(value: &Value, path: Vec<Seg>) -> Result<Date> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Datetime(d) if d.date.is_some() && d.time.is_none() => d.to_string(),
        other => {
            return invalid(
                path,
                format!("expected a date \"YYYY-MM-DD\", found {}", other.type_str()),
            )
        }
    };
    let valid_shape = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    match text.parse::<Date>() {
        Ok(d) if valid_shape => Ok(d),
        _ => invalid(path, format!("`{text}` is not a valid date \"YYYY-MM-DD\"")),
    }
}

pub(super) fn optional_dist(
    value: Option<&Value>,
    default: f64,
    bounds: Bounds,
    path: Vec<Seg>,
) -> Result<Dist> {
    match value {
        Some(v) => dist(v, bounds, path),
        None => Ok(Dist::Const(default)),
    }
}

/// A constant or a distribution table within `bounds`: every parameter in range, and the
/// distribution above `bounds.max` with probability at most [`TAIL`].
pub(super) fn dist(value: &Value, bounds: Bounds, path: Vec<Seg>) -> Result<Dist> {
    let table = match value {
        Value::Integer(_) | Value::Float(_) => {
            let x = number(value, path.clone())?;
            return Ok(Dist::Const(bounds.check(x, path)?));
        }
        Value::Table(t) => t,
        other => {
            return invalid(
                path,
                format!(
                    "expected a number or a distribution such as {{ dist = \"pert\", min = 20, mode = 30, max = 60 }}, found {}",
                    other.type_str()
                ),
            )
        }
    };
    let kind =
        match table.get("dist") {
            Some(Value::String(s)) => s.as_str(),
            Some(_) => return invalid(with(&path, "dist"), "must be a string"),
            None => return invalid(
                path,
                "a distribution table needs `dist`: triangular, pert, uniform, normal or lognormal",
            ),
        };
    let keys: &[&str] = match kind {
        "triangular" | "pert" => &["min", "mode", "max"],
        "uniform" => &["min", "max"],
        "normal" | "lognormal" => &["mean", "sd"],
        other => {
            return invalid(
                with(&path, "dist"),
                format!("unknown distribution `{other}`: use triangular, pert, uniform, normal or lognormal"),
            )
        }
    };
    for key in table.keys() {
        if key != "dist" && !keys.contains(&key.as_str()) {
            return invalid(
                with(&path, key.as_str()),
                format!(
                    "unknown key for a {kind} distribution; expected {}",
                    keys.join(", ")
                ),
            );
        }
    }
    let mut args = Vec::new();
    for key in keys {
        let at = with(&path, *key);
        match table.get(*key) {
            Some(v) => {
                let x = number(v, at.clone())?;
                args.push(bounds.check(x, at)?);
            }
            None => {
                return invalid(
                    at,
                    format!("missing: a {kind} distribution needs {}", keys.join(", ")),
                )
            }
        }
    }
    let built = match kind {
        "triangular" => Dist::triangular(args[0], args[1], args[2]),
        "pert" => Dist::pert(args[0], args[1], args[2]),
        "uniform" => Dist::uniform(args[0], args[1]),
        "normal" => Dist::normal(args[0], args[1]),
        _ => Dist::lognormal(args[0], args[1]),
    };
    let built = built.map_err(|e| Invalid {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let high = built.quantile(1.0 - TAIL);
    if !(high <= bounds.max) {
        return invalid(
            path,
            format!(
                "{built} reaches {high:.6e} {} with probability {TAIL}: above the limit of {} {}; use a smaller spread",
                bounds.unit, bounds.max, bounds.unit
            ),
        );
    }
    Ok(built)
}

/// Ticks from the start to a date, which must not be before the start: the one rule for every
/// dated event (exports, moves, deployments, retargets, deletions, lab creation). A date
/// before the start is an error, never moved to the start.
pub(super) fn tick(value: &Value, calendar: &Calendar, path: Vec<Seg>) -> Result<u64> {
    let d = date(value, path.clone())?;
    let t = calendar.ticks_to(d);
    if t < 0 {
        return invalid(
            path,
            format!(
                "{d} is before scenario.start ({}); dated events must be on or after the start",
                calendar.start()
            ),
        );
    }
    Ok(t as u64)
}

/// A list of dates, none before the start, as sorted ticks.
pub(super) fn date_ticks(items: &[Value], calendar: &Calendar, path: &[Seg]) -> Result<Vec<u64>> {
    let mut ticks = items
        .iter()
        .enumerate()
        .map(|(i, item)| tick(item, calendar, with(path, i)))
        .collect::<Result<Vec<u64>>>()?;
    ticks.sort_unstable();
    Ok(ticks)
}

pub(super) fn exports(
    value: Option<&Value>,
    calendar: &Calendar,
    path: Vec<Seg>,
) -> Result<Exports> {
    let Some(value) = value else {
        return Ok(Exports::At(vec![0]));
    };
    match value {
        Value::Array(items) => Ok(Exports::At(date_ticks(items, calendar, &path)?)),
        Value::Table(t) => {
            for key in t.keys() {
                if key != "every_days" && key != "per_month" {
                    return invalid(
                        with(&path, key.as_str()),
                        "unknown key: exports takes a list of dates, { every_days = N } or { per_month = x }",
                    );
                }
            }
            match (t.get("every_days"), t.get("per_month")) {
                (Some(v), None) => {
                    let at = with(&path, "every_days");
                    let days = EVERY_DAYS.check(number(v, at.clone())?, at)?;
                    Ok(Exports::Every(crate::calendar::hours_to_ticks(days * 24.0)))
                }
                (None, Some(v)) => {
                    let at = with(&path, "per_month");
                    let rate = PER_MONTH.check(number(v, at.clone())?, at)?;
                    Ok(Exports::PerMonth(rate))
                }
                _ => invalid(path, "give exactly one of every_days or per_month"),
            }
        }
        other => invalid(
            path,
            format!(
                "expected a list of dates, {{ every_days = N }} or {{ per_month = x }}, found {}",
                other.type_str()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_path;

    fn value(text: &str) -> Value {
        let table: toml::Table = toml::from_str(&format!("x = {text}")).unwrap();
        table["x"].clone()
    }

    fn err(r: Result<impl std::fmt::Debug>) -> String {
        r.unwrap_err().message
    }

    #[test]
    fn constants_and_parameters_stay_in_range() {
        let p = || key_path!["image", 0, "used_gb"];
        assert_eq!(dist(&value("40"), SIZE_GB, p()).unwrap().mean(), 40.0);
        assert!(err(dist(&value("1e308"), SIZE_GB, p())).contains("0 to 2048 GB"));
        assert!(err(dist(&value("-1"), SIZE_GB, p())).contains("got -1"));
        let wide = r#"{ dist = "uniform", min = 0, max = 1.7e308 }"#;
        assert!(err(dist(&value(wide), SIZE_GB, p())).contains("2048"));
    }

    #[test]
    fn heavy_tails_are_refused_not_drawn() {
        let p = || key_path!["image", 0, "used_gb"];
        let huge = r#"{ dist = "lognormal", mean = 40, sd = 1e200 }"#;
        assert!(err(dist(&value(huge), SIZE_GB, p())).contains("0 to 2048 GB"));
        let heavy = r#"{ dist = "lognormal", mean = 40, sd = 2000 }"#;
        assert!(err(dist(&value(heavy), SIZE_GB, p())).contains("use a smaller spread"));
        let wide = r#"{ dist = "normal", mean = 1, sd = 1000 }"#;
        assert!(err(dist(&value(wide), SIZE_GB, p())).contains("probability"));
        // A modest spread is fine: P(x > 2048) is far below 1e-9.
        let ok = r#"{ dist = "lognormal", mean = 40, sd = 10 }"#;
        assert!(dist(&value(ok), SIZE_GB, p()).is_ok());
    }

    #[test]
    fn export_schedules_are_bounded() {
        let cal = Calendar::new("2026-09-01".parse().unwrap());
        let p = || key_path!["image", 0, "exports"];
        for bad in [
            "{ per_month = 5e-324 }",
            "{ per_month = 1e-310 }",
            "{ per_month = 1e9 }",
            "{ every_days = 1e308 }",
            "{ every_days = 0.0001 }",
        ] {
            assert!(
                err(exports(Some(&value(bad)), &cal, p())).contains("must be"),
                "{bad}"
            );
        }
        assert!(matches!(
            exports(Some(&value("{ every_days = 7 }")), &cal, p()).unwrap(),
            Exports::Every(t) if t == 7 * 24 * 3600
        ));
    }

    #[test]
    fn prices_and_whole_numbers_never_wrap() {
        let p = || key_path!["prices", "snapshot_gb_month"];
        assert!(err(price_value(&value("1e308"), p())).contains("1000000"));
        assert_eq!(price_value(&value("0.05"), p()).unwrap(), 0.05);
        assert!(err(whole(4_294_967_296, 0, 64, p())).contains("0 to 64"));
        assert_eq!(whole(3, 0, 64, p()).unwrap(), 3);
        assert!(err(number(&value("nan"), p())).contains("expected a number"));
    }
}
