//! Reading Azure Cost Management exports, one row at a time: the EA/MCA cost details CSV
//! ("actual cost" and "amortized cost": `Date`, `MeterCategory`, `MeterSubCategory`,
//! `MeterName`, `Quantity`, `UnitOfMeasure`, `Cost` or `CostInBillingCurrency`,
//! `BillingCurrency` or `BillingCurrencyCode`, `ResourceId`, `ResourceLocation`) and FOCUS 1.0+
//! exports (`ChargePeriodStart`, `BilledCost`, `ConsumedQuantity`, `ConsumedUnit`,
//! `ResourceId`, `RegionId`, `x_SkuMeterCategory`, `x_SkuMeterSubcategory`, `x_SkuMeterName` or
//! FOCUS 1.2's `SkuMeter`, `BillingCurrency`). Headers are matched whatever their case (MCA
//! writes them in camelCase) and a UTF-8 byte-order mark is ignored (the portal writes one).
//!
//! The file is streamed (a bill of millions of rows is read in the memory of one row); only
//! the rows the [`Selection`] keeps are parsed, and each of their fields is checked: an error
//! names the file, the line and the column, and nothing is skipped silently.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use jiff::civil::Date;

use crate::catalog::import::{meter_item, quantity as unit_block};
use crate::catalog::prices::Item;
use crate::catalog::{RegionId, Regions};
use crate::error::InputError;

/// The export shapes gallerysim reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// EA or MCA cost details (actual or amortized cost), CSV.
    CostDetails,
    /// FOCUS 1.0 or later, CSV.
    Focus,
}

impl Schema {
    /// Name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Schema::CostDetails => "Cost Management cost details (EA/MCA actual or amortized)",
            Schema::Focus => "FOCUS",
        }
    }
}

/// Which rows are the gallery's: those whose resource id contains one of the patterns,
/// whatever the case. The default is `/galleries/` (every resource of an Azure Compute Gallery
/// has an id `.../providers/Microsoft.Compute/galleries/NAME/...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    patterns: Vec<String>,
}

impl Default for Selection {
    fn default() -> Selection {
        Selection {
            patterns: vec![Selection::GALLERIES.to_string()],
        }
    }
}

impl Selection {
    /// The default pattern.
    pub const GALLERIES: &'static str = "/galleries/";

    /// Rows whose resource id contains any of `patterns` (case-insensitive); the default when
    /// none is given.
    pub fn new(patterns: &[String]) -> Selection {
        if patterns.is_empty() {
            return Selection::default();
        }
        Selection {
            patterns: patterns.iter().map(|p| p.to_ascii_lowercase()).collect(),
        }
    }

    /// The patterns, lower case.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    fn keeps(&self, resource_id_lower: &str) -> bool {
        self.patterns.iter().any(|p| resource_id_lower.contains(p))
    }
}

/// What a row is billed for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Meter {
    /// A meter gallerysim prices.
    Known(ItemKey),
    /// Any other meter: `category / subcategory / name` as the bill writes them.
    Other(String),
}

/// [`Item`] with an order (for sorted, deterministic outputs): its position in [`Item::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemKey(u8);

impl ItemKey {
    /// The key of `item`.
    pub fn of(item: Item) -> ItemKey {
        ItemKey(Item::ALL.iter().position(|i| *i == item).unwrap_or(0) as u8)
    }

    /// The item.
    pub fn item(self) -> Item {
        Item::ALL[usize::from(self.0)]
    }
}

impl Meter {
    /// Name in `reconcile.csv`: the catalog item's name, or `other:` and the bill's meter.
    pub fn name(&self) -> String {
        match self {
            Meter::Known(k) => k.item().name(),
            Meter::Other(text) => format!("other:{text}"),
        }
    }
}

/// One selected row, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    /// 1-based line of the file.
    pub line: u64,
    /// The day the charge is for.
    pub date: Date,
    /// The meter.
    pub meter: Meter,
    /// Quantity in the meter's unit (GB-months, disk-months or GB), unit blocks applied.
    pub quantity: f64,
    /// Cost in the bill's currency.
    pub cost: f64,
    /// The region of the resource (`ResourceLocation`, `RegionId`).
    pub region: RegionId,
    /// The resource id as written.
    pub resource_id: &'a str,
}

/// What a file held besides its selected rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSummary {
    /// The file as named.
    pub file: String,
    /// Its shape.
    pub schema: Option<&'static str>,
    /// Data rows read.
    pub rows: u64,
    /// Rows of other resources (not selected).
    pub skipped: u64,
}

/// Columns of one schema: the first alias the header has is used.
struct Wanted {
    date: &'static [&'static str],
    category: &'static [&'static str],
    subcategory: &'static [&'static str],
    meter: &'static [&'static str],
    quantity: &'static [&'static str],
    unit: &'static [&'static str],
    cost: &'static [&'static str],
    currency: &'static [&'static str],
    resource_id: &'static [&'static str],
    region: &'static [&'static str],
}

const COST_DETAILS: Wanted = Wanted {
    date: &["Date"],
    category: &["MeterCategory"],
    subcategory: &["MeterSubCategory"],
    meter: &["MeterName"],
    quantity: &["Quantity"],
    unit: &["UnitOfMeasure"],
    // `PreTaxCost` and `InstanceId`: the older EA usage-details names.
    cost: &["Cost", "CostInBillingCurrency", "PreTaxCost"],
    currency: &["BillingCurrency", "BillingCurrencyCode"],
    resource_id: &["ResourceId", "InstanceId"],
    region: &["ResourceLocation"],
};

const FOCUS: Wanted = Wanted {
    date: &["ChargePeriodStart"],
    category: &["x_SkuMeterCategory"],
    subcategory: &["x_SkuMeterSubcategory"],
    meter: &["x_SkuMeterName", "SkuMeter"],
    quantity: &["ConsumedQuantity"],
    unit: &["ConsumedUnit"],
    cost: &["BilledCost"],
    currency: &["BillingCurrency"],
    resource_id: &["ResourceId"],
    region: &["RegionId"],
};

/// Column positions of a file.
struct Columns {
    schema: Schema,
    names: Vec<String>,
    date: usize,
    category: usize,
    subcategory: usize,
    meter: usize,
    quantity: usize,
    unit: usize,
    cost: usize,
    currency: usize,
    resource_id: usize,
    region: usize,
}

fn error(file: &str, line: u64, column: Option<(usize, &str)>, message: String) -> InputError {
    InputError {
        file: file.to_string(),
        line: Some(line as usize),
        column: column.map(|(i, _)| i + 1),
        key: column.map(|(_, name)| name.to_string()),
        message,
    }
}

impl Columns {
    fn of(file: &str, header: &csv::StringRecord) -> Result<Columns, InputError> {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| match i {
                0 => h.trim_start_matches('\u{feff}').to_string(),
                _ => h.to_string(),
            })
            .collect();
        let has = |name: &str| names.iter().any(|h| h.eq_ignore_ascii_case(name));
        let schema = if has("ChargePeriodStart") && has("BilledCost") {
            Schema::Focus
        } else if has("Date") && has("MeterCategory") {
            Schema::CostDetails
        } else {
            return Err(error(
                file,
                1,
                None,
                "not a Cost Management export gallerysim reads: the header has neither `Date` and `MeterCategory` (EA/MCA cost details, actual or amortized) nor `ChargePeriodStart` and `BilledCost` (FOCUS); export CSV as README \"Check against your bill\" shows".to_string(),
            ));
        };
        let wanted = match schema {
            Schema::CostDetails => &COST_DETAILS,
            Schema::Focus => &FOCUS,
        };
        let find = |aliases: &[&str]| -> Result<usize, InputError> {
            aliases
                .iter()
                .find_map(|a| names.iter().position(|h| h.eq_ignore_ascii_case(a)))
                .ok_or_else(|| {
                    error(
                        file,
                        1,
                        None,
                        format!(
                            "a {} export needs the column `{}`, which the header lacks",
                            schema.name(),
                            aliases.join("` or `")
                        ),
                    )
                })
        };
        Ok(Columns {
            schema,
            date: find(wanted.date)?,
            category: find(wanted.category)?,
            subcategory: find(wanted.subcategory)?,
            meter: find(wanted.meter)?,
            quantity: find(wanted.quantity)?,
            unit: find(wanted.unit)?,
            cost: find(wanted.cost)?,
            currency: find(wanted.currency)?,
            resource_id: find(wanted.resource_id)?,
            region: find(wanted.region)?,
            names,
        })
    }
}

/// Parses the dates exports write: `MM/DD/YYYY` (EA and MCA cost details), `YYYY-MM-DD`, and
/// ISO 8601 UTC with a time (`2026-01-01T00:00Z` in FOCUS 1.0, `2026-01-01T00:00:00Z` in
/// 1.0r2 and later, with optional fractions of a second or `+00:00`). None for anything else:
/// a day-first date (`31/01/2026`) is refused, never guessed.
pub fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i16> {
        let part = b.get(range)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = if b.len() == 10 && b[2] == b'/' && b[5] == b'/' {
        (num(6..10)?, num(0..2)?, num(3..5)?)
    } else if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        // `get`: a date with a multi-byte character in it is refused, never sliced through.
        let rest = text.get(10..)?;
        if !rest.is_empty() && !is_utc_time(rest) {
            return None;
        }
        (num(0..4)?, num(5..7)?, num(8..10)?)
    } else {
        return None;
    };
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// `THH:MM` then optional `:SS` and `.fraction`, then `Z` or `+00:00`.
fn is_utc_time(rest: &str) -> bool {
    let Some(rest) = rest
        .strip_suffix('Z')
        .or_else(|| rest.strip_suffix("+00:00"))
    else {
        return false;
    };
    let b = rest.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|p| p.iter().all(u8::is_ascii_digit));
    let hm = b.len() >= 6 && b[0] == b'T' && digits(1..3) && b[3] == b':' && digits(4..6);
    match b.len() {
        6 => hm,
        9 => hm && b[6] == b':' && digits(7..9),
        n if n > 10 => hm && b[6] == b':' && digits(7..9) && b[9] == b'.' && digits(10..n),
        _ => false,
    }
}

/// A region as a bill writes it: an ARM name in any case (`EastUS2`, `eastus2`) or a display
/// name (`East US 2`).
pub fn bill_region(regions: &Regions, text: &str) -> Option<RegionId> {
    regions.find(text).or_else(|| {
        let joined: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        regions.find(&joined)
    })
}

/// Reads the export at `path`, calling `visit` with each selected row in file order (the
/// function stops at the first error, its own or `visit`'s). `currency` is the scenario's:
/// a selected row in another currency is an error.
pub fn read(
    path: &Path,
    regions: &Regions,
    selection: &Selection,
    currency: &str,
    mut visit: impl FnMut(&Row<'_>) -> Result<(), InputError>,
) -> Result<FileSummary, InputError> {
    let file = path.display().to_string();
    let opened = File::open(path).map_err(|e| InputError {
        file: file.clone(),
        line: None,
        column: None,
        key: None,
        message: format!("cannot read the bill: {e}"),
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(BufReader::with_capacity(1 << 20, opened));
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line());
        error(&file, line, None, format!("not a readable CSV file: {e}"))
    };
    let header = reader.headers().map_err(csv_error)?.clone();
    let cols = Columns::of(&file, &header)?;
    let mut summary = FileSummary {
        file: file.clone(),
        schema: Some(cols.schema.name()),
        ..FileSummary::default()
    };
    let mut record = csv::StringRecord::new();
    let mut lower = String::new();
    while reader.read_record(&mut record).map_err(csv_error)? {
        summary.rows += 1;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let resource_id = field(cols.resource_id);
        lower.clear();
        lower.push_str(resource_id);
        lower.make_ascii_lowercase();
        if !selection.keeps(&lower) {
            summary.skipped += 1;
            continue;
        }
        let at = |i: usize, message: String| error(&file, line, Some((i, &cols.names[i])), message);
        let date_text = field(cols.date);
        let date = parse_date(date_text).ok_or_else(|| {
            at(
                cols.date,
                format!("`{date_text}` is not a date an export writes: MM/DD/YYYY, YYYY-MM-DD or an ISO 8601 UTC time such as 2026-01-01T00:00:00Z"),
            )
        })?;
        let row_currency = field(cols.currency);
        if row_currency != currency {
            return Err(at(
                cols.currency,
                format!("the bill is in {row_currency}, the scenario's prices in {currency}: set `[scenario] currency` and a price catalog in {row_currency}, or export the bill in {currency}"),
            ));
        }
        let number = |i: usize, what: &str| -> Result<f64, InputError> {
            let text = field(i);
            match text.trim().parse::<f64>() {
                Ok(x) if (0.0..=MAX_VALUE).contains(&x) => Ok(x + 0.0),
                Ok(x) if x > MAX_VALUE => Err(at(i, format!("{what} `{text}` is beyond {MAX_VALUE:e}, more than any bill holds"))),
                Ok(x) if x < 0.0 => Err(at(i, format!("negative {what} `{text}`: refunds and credits are not reconciled; leave them out of the export (filter on ChargeType) or remove the row"))),
                _ => Err(at(i, format!("{what} `{text}` is not a number"))),
            }
        };
        let raw_quantity = number(cols.quantity, "quantity")?;
        let cost = number(cols.cost, "cost")?;
        let region_text = field(cols.region);
        let region = bill_region(regions, region_text).ok_or_else(|| {
            at(
                cols.region,
                format!("`{region_text}` is not an Azure region gallerysim knows; `gallerysim regions` lists them"),
            )
        })?;
        let (category, subcategory, meter_name) = (
            field(cols.category),
            field(cols.subcategory),
            field(cols.meter),
        );
        let unit = field(cols.unit);
        let (meter, quantity) = match meter_item(category, subcategory, meter_name) {
            Some(item) => {
                let block = match cols.schema {
                    Schema::CostDetails => unit_block(unit, item).map(f64::from),
                    Schema::Focus => focus_unit(unit, item).then_some(1.0),
                };
                let block = block.ok_or_else(|| {
                    at(
                        cols.unit,
                        format!("unit `{unit}` is not one gallerysim converts for the meter `{meter_name}` (priced per {})", item.unit()),
                    )
                })?;
                (Meter::Known(ItemKey::of(item)), raw_quantity * block)
            }
            None => (
                Meter::Other(format!("{category} / {subcategory} / {meter_name}")),
                raw_quantity,
            ),
        };
        visit(&Row {
            line,
            date,
            meter,
            quantity,
            cost,
            region,
            resource_id,
        })?;
    }
    Ok(summary)
}

/// Largest quantity or cost read: far above any real bill, far below where exact sums end.
const MAX_VALUE: f64 = 1e15;

/// FOCUS's distinct consumed units (the FinOps toolkit's `PricingUnits.csv`).
fn focus_unit(unit: &str, item: Item) -> bool {
    match item {
        Item::Snapshot | Item::ZrsSnapshot | Item::PremiumSnapshot => unit == "GB/Month",
        Item::Disk(_) => unit == "Units/Month",
        Item::EgressIntra | Item::EgressInter => unit == "GB",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_every_export_and_nothing_else() {
        let jan = Date::constant(2026, 1, 31);
        for text in [
            "01/31/2026",
            "2026-01-31",
            "2026-01-31T00:00Z",
            "2026-01-31T00:00:00Z",
            "2026-01-31T00:00:00.0000000Z",
            "2026-01-31T00:00:00+00:00",
        ] {
            assert_eq!(parse_date(text), Some(jan), "{text}");
        }
        for text in [
            "31/01/2026",
            "2026-1-31",
            "2026-01-31 00:00",
            "2026-01-31T00:00:00+01:00",
            "Jan 31 2026",
            "",
            "02/30/2026",
            "2026-01-0\u{e9}",
            "2026-01-0\u{e9}T00:00Z",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn regions_in_any_case_or_as_display_names() {
        let regions = Regions::bundled();
        let east2 = regions.find("eastus2");
        assert!(east2.is_some());
        for text in ["EastUS2", "eastus2", "East US 2"] {
            assert_eq!(bill_region(regions, text), east2, "{text}");
        }
        assert_eq!(bill_region(regions, "Intercontinental"), None);
    }
}
