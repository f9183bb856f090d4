//! Index arithmetic on chunk grids (C order).

use crate::error::{Error, Result};

/// Product of `shape`, or an error when it overflows `u64`.
pub fn checked_product(shape: &[u64]) -> Result<u64> {
    shape.iter().try_fold(1u64, |acc, &d| {
        acc.checked_mul(d)
            .ok_or_else(|| Error::limit(format!("the grid shape {:?} overflows", shape)))
    })
}

/// Flat C-order index of `coords` in a grid of `shape`.
pub fn ravel(coords: &[u64], shape: &[u64]) -> Result<u64> {
    if coords.len() != shape.len() {
        return Err(Error::invalid(format!(
            "{} coordinates given for a {}-dimensional grid",
            coords.len(),
            shape.len()
        )));
    }
    let mut index = 0u64;
    for (axis, (&c, &d)) in coords.iter().zip(shape).enumerate() {
        if c >= d {
            return Err(Error::invalid(format!(
                "coordinate {} on axis {} is outside the grid of shape {:?}",
                c, axis, shape
            )));
        }
        index = index * d + c;
    }
    Ok(index)
}

/// Grid coordinates of flat C-order `index`.
pub fn unravel(mut index: u64, shape: &[u64]) -> Vec<u64> {
    let mut coords = vec![0u64; shape.len()];
    for axis in (0..shape.len()).rev() {
        let d = shape[axis].max(1);
        coords[axis] = index % d;
        index /= d;
    }
    coords
}

/// C-order strides (in elements) of a grid.
pub fn strides(shape: &[u64]) -> Vec<u64> {
    let mut out = vec![1u64; shape.len()];
    for axis in (0..shape.len().saturating_sub(1)).rev() {
        out[axis] = out[axis + 1] * shape[axis + 1];
    }
    out
}

/// Calls `f(source_start, run_length)` for each run of a strided gather, in C order of
/// `out_shape`. `src_strides[axis]` is the source step for one step of `axis` (0 repeats
/// the same source element); `base` is the source index of the first element. The last
/// axis is handed out as whole runs so the caller can copy slices instead of elements.
pub fn for_each_run(
    out_shape: &[u64],
    src_strides: &[u64],
    base: u64,
    mut f: impl FnMut(u64, u64, bool),
) {
    if out_shape.contains(&0) {
        return;
    }
    if out_shape.is_empty() {
        f(base, 1, true);
        return;
    }
    let last = out_shape.len() - 1;
    let run = out_shape[last];
    let contiguous = src_strides[last] == 1;
    let mut counter = vec![0u64; last];
    loop {
        let start = base
            + counter
                .iter()
                .zip(src_strides)
                .map(|(&c, &s)| c * s)
                .sum::<u64>();
        f(start, run, contiguous);
        // Advance the odometer over the outer axes.
        let mut axis = last;
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            counter[axis] += 1;
            if counter[axis] < out_shape[axis] {
                break;
            }
            counter[axis] = 0;
        }
    }
}
