//! The gallery's consumers over time: account kinds and their replication rules, lifetimes
//! (Lab Services ends at its retirement date), image moves to successors, and clean-up
//! (`retarget`, `delete_on`).
//!
//! | kind | replicates each version to |
//! |---|---|
//! | `lab_account` | every non-restricted region of the gallery's geography |
//! | `lab_plan`, `avd`, `vmss` | the gallery's home region and `replicate_to` |
//! | `devtest_lab` | the home region and the regions of its labs |
//! | `dev_box` | the home region and `regions` (its network connections) |

use toml::Value;

use super::super::values::{date, invalid, with, Result};
use super::{Builder, Index};
use crate::calendar::Calendar;
use crate::catalog::RegionId;
use crate::key_path;
use crate::scenario::locate::Seg;
use crate::scenario::raw::{RawAccount, RawImage, RawScenario};
use crate::scenario::{Account, AccountKind, Exports, Gallery, Period, WarningCode};

/// Azure Lab Services retires on this date (domain.md section 1); `[rules]
/// lab_services_retirement` changes it.
pub const LAB_SERVICES_RETIREMENT: jiff::civil::Date = jiff::civil::Date::constant(2027, 6, 28);

/// The Lab Services retirement of a scenario.
pub(super) struct Retirement {
    /// Ticks from the start (0 when before it).
    pub(super) tick: u64,
    pub(super) date: jiff::civil::Date,
    /// `rules.lab_services_retirement` when the file sets it.
    pub(super) key: Option<Vec<Seg>>,
}

/// A target as `(region, gallery index)` until validation maps it to a cell.
type RegionGallery = (RegionId, usize);

impl Builder<'_> {
    /// Ticks from the start to `value` (a date), which must not be before the start.
    pub(super) fn tick_of(
        &self,
        value: &Value,
        calendar: &Calendar,
        path: Vec<Seg>,
    ) -> Result<u64> {
        super::super::values::tick(value, calendar, path)
    }

    /// The Lab Services retirement as a tick (0 when it is before the start: the accounts
    /// are retired already), with the key that set it, if any.
    pub(super) fn retirement(&self, raw: &RawScenario, calendar: &Calendar) -> Result<Retirement> {
        let (d, key) = match &raw.rules.lab_services_retirement {
            Some(v) => {
                let key = key_path!["rules", "lab_services_retirement"];
                (date(v, key.clone())?, Some(key))
            }
            None => (LAB_SERVICES_RETIREMENT, None),
        };
        Ok(Retirement {
            tick: calendar.ticks_to(d).max(0) as u64,
            date: d,
            key,
        })
    }

    /// `retarget` and `delete_on` of every gallery.
    pub(super) fn gallery_lifecycle(
        &mut self,
        raw: &RawScenario,
        calendar: &Calendar,
        galleries: &mut [Gallery],
    ) -> Result<()> {
        for (i, g) in raw.gallery.iter().enumerate() {
            let path = key_path!["gallery", i];
            let mut retarget = Vec::new();
            for (j, r) in g.retarget.iter().enumerate() {
                let at = with(&with(&path, "retarget"), j);
                let on = self.tick_of(&r.on, calendar, with(&at, "on"))?;
                let mut regions = Vec::new();
                for (k, name) in r.regions.iter().enumerate() {
                    regions.push(self.region(name, with(&with(&at, "regions"), k))?);
                }
                if !regions.contains(&galleries[i].region) {
                    return invalid(
                        with(&at, "regions"),
                        "must include the gallery's home region: every version is created and kept there",
                    );
                }
                retarget.push((on, regions));
            }
            retarget.sort_by_key(|(on, _)| *on);
            galleries[i].retarget = retarget;
            galleries[i].delete_on = match &g.delete_on {
                Some(v) => Some(self.tick_of(v, calendar, with(&path, "delete_on"))?),
                None => None,
            };
        }
        Ok(())
    }

    /// Regions besides the home region that account `i` of kind `kind` replicates to.
    pub(super) fn consumer_regions(
        &mut self,
        raw: &RawScenario,
        i: usize,
        kind: AccountKind,
        home: RegionId,
    ) -> Result<Vec<RegionId>> {
        let a = &raw.account[i];
        let path = key_path!["account", i];
        let misplaced = |key: &str, rule: &str| {
            invalid::<Vec<RegionId>>(
                with(&path, key),
                format!("does not apply to a {}: {rule}", kind.name()),
            )
        };
        let listed = |builder: &mut Self, key: &str, list: &[String]| -> Result<Vec<RegionId>> {
            let mut out = Vec::new();
            for (j, name) in list.iter().enumerate() {
                let id = builder.region(name, key_path!["account", i, key, j])?;
                if id != home && !out.contains(&id) {
                    out.push(id);
                }
            }
            Ok(out)
        };
        let replicate_to = a.replicate_to.as_deref().filter(|l| !l.is_empty());
        let regions = a.regions.as_deref();
        match kind {
            AccountKind::LabAccount | AccountKind::DevtestLab | AccountKind::DevBox
                if replicate_to.is_some() =>
            {
                misplaced(
                    "replicate_to",
                    "a lab account replicates to its whole geography, a DevTest lab to its labs' regions, a Dev Box to `regions`",
                )
            }
            AccountKind::DevBox => listed(self, "regions", regions.unwrap_or(&[])),
            _ if regions.is_some() => misplaced("regions", "`regions` is for dev_box accounts"),
            AccountKind::LabPlan | AccountKind::Avd | AccountKind::Vmss => {
                listed(self, "replicate_to", replicate_to.unwrap_or(&[]))
            }
            AccountKind::DevtestLab => {
                let mut out = Vec::new();
                for (k, lab) in raw.lab.iter().enumerate() {
                    if lab.account == a.name {
                        let id = self.region(&lab.region, key_path!["lab", k, "region"])?;
                        if id != home && !out.contains(&id) {
                            out.push(id);
                        }
                    }
                }
                Ok(out)
            }
            AccountKind::LabAccount => Ok(Vec::new()),
        }
    }

    /// `from` and `until` of an account; Lab Services accounts end at the retirement.
    pub(super) fn lifetime(
        &self,
        a: &RawAccount,
        kind: AccountKind,
        calendar: &Calendar,
        retirement: &Retirement,
        path: &[Seg],
    ) -> Result<(u64, Option<u64>)> {
        // An account open since before the start counts from the start.
        let from = match &a.from {
            Some(v) => calendar.ticks_to(date(v, with(path, "from"))?).max(0) as u64,
            None => 0,
        };
        let until = match &a.until {
            Some(v) => Some(self.tick_of(v, calendar, with(path, "until"))?),
            None => None,
        };
        if until.is_some_and(|u| u <= from) {
            return invalid(with(path, "until"), "must be after `from`");
        }
        if kind.is_lab_services() && retirement.tick <= from {
            let message = format!(
                "Azure Lab Services retires on {}, no later than account `{}` starts ({}): a lab account or lab plan could do nothing here; use another kind (avd, devtest_labs, ...) or a later retirement",
                retirement.date,
                a.name,
                calendar.date_of(crate::engine::Time(from))
            );
            return match &retirement.key {
                Some(key) => invalid(key.clone(), message),
                None => invalid(with(path, "kind"), message),
            };
        }
        let until = match kind.is_lab_services() {
            true => Some(until.map_or(retirement.tick, |u| u.min(retirement.tick))),
            false => until,
        };
        Ok((from, until))
    }

    /// The image's periods (its account, then each move) and every target over all of them,
    /// as `(region, gallery)` pairs (the gallery is replaced by the cell index later).
    #[allow(clippy::too_many_arguments)] // the validated pieces it joins
    pub(super) fn periods(
        &mut self,
        im: &RawImage,
        path: &[Seg],
        account: Option<usize>,
        accounts: &[Account],
        galleries: &[Gallery],
        calendar: &Calendar,
        accounts_index: &Index<'_>,
    ) -> Result<(Vec<RegionGallery>, Vec<Period>)> {
        // An orphan (no account) has no period: nobody exports it.
        let mut starts: Vec<(u64, usize)> = account.map(|a| (0, a)).into_iter().collect();
        for (j, m) in im.moves.iter().enumerate() {
            let at = with(&with(path, "moves"), j);
            let on = self.tick_of(&m.on, calendar, with(&at, "on"))?;
            let to = accounts_index.find(&m.account, with(&at, "account"), "account")?;
            if starts.last().is_some_and(|&(prev, _)| on <= prev) {
                return invalid(
                    with(&at, "on"),
                    "moves must be in date order, after the start",
                );
            }
            starts.push((on, to));
        }
        let mut targets: Vec<RegionGallery> = Vec::new();
        let mut periods = Vec::new();
        for (from, acc) in starts {
            let a = &accounts[acc];
            let gallery = a.gallery;
            let home = galleries[gallery].region;
            let regions: Vec<RegionId> = match a.kind {
                AccountKind::LabAccount => self.regions.geography_targets(home),
                _ => std::iter::once(home)
                    .chain(a.replicate_to.iter().copied())
                    .collect(),
            };
            let mut period_targets = Vec::new();
            // Home region first.
            let ordered = std::iter::once(home).chain(regions.into_iter().filter(|r| *r != home));
            for region in ordered {
                let index = match targets.iter().position(|&t| t == (region, gallery)) {
                    Some(index) => index,
                    None => {
                        targets.push((region, gallery));
                        targets.len() - 1
                    }
                };
                period_targets.push(index);
            }
            periods.push(Period {
                from,
                account: acc,
                gallery,
                targets: period_targets,
            });
        }
        Ok((targets, periods))
    }

    /// Periodic exports are skipped while the image's account is not active (before its
    /// `from`, after its `until`): one warning per such gap. The end of Lab Services accounts
    /// at the retirement has its own warning.
    fn warn_paused_exports(
        &mut self,
        image: &str,
        periods: &[Period],
        accounts: &[Account],
        calendar: &Calendar,
    ) {
        let horizon = calendar.horizon();
        let day = |t: u64| calendar.date_of(crate::engine::Time(t));
        for (i, p) in periods.iter().enumerate() {
            let end = periods
                .get(i + 1)
                .map_or(horizon, |next| next.from)
                .min(horizon);
            let a = &accounts[p.account];
            let mut gaps = Vec::new();
            if a.from > p.from {
                gaps.push((p.from, a.from.min(end)));
            }
            if let Some(until) = a.until.filter(|&u| u < end && !a.kind.is_lab_services()) {
                gaps.push((until.max(p.from), end));
            }
            for (from, to) in gaps.into_iter().filter(|(f, t)| f < t) {
                self.warn(
                    WarningCode::ExportsPaused,
                    format!(
                        "image `{image}`: its periodic exports are skipped from {} to {}, while account `{}` is not active (it runs from {}{}); versions made before stay stored and billed",
                        day(from),
                        day(to),
                        a.name,
                        day(a.from),
                        a.until.map(|u| format!(" until {}", day(u))).unwrap_or_default()
                    ),
                );
            }
        }
    }

    /// A dated export through an account that has ended (Lab Services after its retirement)
    /// and is not covered by a later move is an error naming the image, the date and the fix.
    pub(super) fn exports_within_lifetimes(
        &mut self,
        im: &RawImage,
        path: &[Seg],
        periods: &[Period],
        accounts: &[Account],
        exports: &Exports,
        calendar: &Calendar,
    ) -> Result<()> {
        let Exports::At(ticks) = exports else {
            // Periodic exports pause while no account consumes the image: said, not hidden.
            self.warn_paused_exports(&im.name, periods, accounts, calendar);
            return Ok(());
        };
        for &t in ticks {
            let period = periods
                .iter()
                .rev()
                .find(|p| p.from <= t)
                .expect("first at 0");
            let a = &accounts[period.account];
            if !a.active_at(t) {
                let ended = a.until.unwrap_or(0);
                let hint = if a.kind.is_lab_services() {
                    "Azure Lab Services retires then: move the image to a successor with `moves = [{ on = DATE, account = NAME }]` (an avd, vmss, devtest_lab or dev_box account) or drop the export"
                } else {
                    "move the image to another account with `moves`, or drop the export"
                };
                let day = |t: u64| calendar.date_of(crate::engine::Time(t));
                // The entry as written (the ticks are sorted).
                let j = match &im.exports {
                    Some(Value::Array(items)) => items
                        .iter()
                        .position(|item| {
                            date(item, Vec::new())
                                .is_ok_and(|d| calendar.ticks_to(d).max(0) as u64 == t)
                        })
                        .unwrap_or(0),
                    _ => 0,
                };
                return invalid(
                    with(&with(path, "exports"), j),
                    format!(
                        "image `{}` exports on {} through `{}`, which consumes no images from {} on: {hint}",
                        im.name,
                        day(t),
                        a.name,
                        day(ended)
                    ),
                );
            }
        }
        Ok(())
    }
}
