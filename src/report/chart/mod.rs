//! Charts for a budget meeting, each as SVG and PNG: cost per month stacked by region,
//! cumulative spend, the distribution of the total over runs, and replicas alive per region.
//!
//! The data is prepared once ([`ChartData`], a pure function of the results); each chart is
//! drawn by one generic function, once on the SVG backend and once on a bitmap that is
//! encoded to PNG in memory. Text in PNGs uses DejaVu Sans embedded in the binary, so the
//! output does not depend on the fonts installed on the machine.

mod cost;
mod data;
mod kit;
mod service;
mod spend;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::OutputFile;
use crate::error::Error;

pub use data::{ChartData, DeploymentBar, RegionSeries};
/// For charts drawn outside `report` (the reconcile chart).
pub use kit::DrawError;
pub(super) use kit::*;

/// Pixel size of every chart.
pub const SIZE: (u32, u32) = (1200, 700);

/// One job per chart (SVG and PNG), in output order.
pub(super) fn jobs(data: &ChartData) -> Vec<super::Job<'_>> {
    register_fonts();
    let mut jobs: Vec<super::Job<'_>> = Vec::new();
    // Each drawing function is generic over the backend; the closures instantiate it twice.
    macro_rules! chart {
        ($name:literal, $draw:path) => {
            jobs.push(Box::new(move || {
                Ok(render($name, |root| $draw(root, data), |root| $draw(root, data))?.to_vec())
            }))
        };
    }
    chart!("monthly_cost", cost::monthly_cost);
    if !data.by_gallery.is_empty() {
        chart!("monthly_cost_by_gallery", cost::monthly_cost_by_gallery);
    }
    chart!("cumulative_cost", spend::cumulative_cost);
    if data.runs() > 1 {
        chart!("cost_distribution", spend::cost_distribution);
    }
    chart!("replicas", service::replicas);
    if !data.deployments.is_empty() {
        chart!("deployment_minutes", service::deployment_minutes);
    }
    jobs
}

/// Draws one chart on an SVG string and on a bitmap encoded as PNG.
pub(crate) fn render(
    name: &str,
    svg_draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), DrawError>,
    png_draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), DrawError>,
) -> Result<[OutputFile; 2], Error> {
    let fail = |e: DrawError| Error::Chart {
        name: name.to_string(),
        message: e.0,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        svg_draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(err(e)))?;
    }
    let mut pixels = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
        png_draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(err(e)))?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, SIZE.0, SIZE.1);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Fast deflate and one filter for every row: charts are flat colours, and Paeth gives
        // the files adaptive filtering gives (about 70 KB) without trying five filters a row.
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::Filter::Paeth);
        let mut writer = encoder
            .write_header()
            .map_err(|e| fail(DrawError(e.to_string())))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| fail(DrawError(e.to_string())))?;
    }
    Ok([
        OutputFile {
            name: format!("{name}.svg"),
            bytes: svg.into_bytes(),
        },
        OutputFile {
            name: format!("{name}.png"),
            bytes: png_bytes,
        },
    ])
}
