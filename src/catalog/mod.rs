//! Bundled, dated reference data: Azure regions and geographies, and the default price book.
//! Both are embedded in the binary, so the simulator needs no network and no files beside it.

pub mod import;
pub mod meters;
pub mod prices;
pub mod regions;

pub use meters::{MeterId, Meters};
pub use prices::{Continent, DiskTier, PriceBook};
pub use regions::{Region, RegionId, Regions};
