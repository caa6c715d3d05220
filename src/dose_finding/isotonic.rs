//! Weighted isotonic (non-decreasing) regression by the pool-adjacent-violators algorithm (PAVA),
//! as used by BOIN's MTD selection (Liu & Yuan 2015; R `BOIN::select.mtd`).

/// Replaces `values` by their weighted isotonic regression: the non-decreasing sequence closest in
/// weighted least squares. Adjacent violators are pooled into their weighted mean.
///
/// `blocks` is scratch space (kept to avoid allocating on every call).
pub fn pava_in_place(values: &mut [f64], weights: &[f64], blocks: &mut Vec<(f64, f64, usize)>) {
    assert_eq!(values.len(), weights.len());
    blocks.clear();
    for (&v, &w) in values.iter().zip(weights) {
        // Each block: (weighted mean, total weight, number of points).
        let mut block = (v, w, 1usize);
        while let Some(&(mean, weight, len)) = blocks.last() {
            if mean <= block.0 {
                break;
            }
            blocks.pop();
            let total = weight + block.1;
            block = ((mean * weight + block.0 * block.1) / total, total, len + block.2);
        }
        blocks.push(block);
    }
    let mut i = 0;
    for &(mean, _, len) in blocks.iter() {
        values[i..i + len].fill(mean);
        i += len;
    }
}

/// Weighted isotonic regression of `values`, returned as a new vector.
pub fn pava(values: &[f64], weights: &[f64]) -> Vec<f64> {
    let mut out = values.to_vec();
    pava_in_place(&mut out, weights, &mut Vec::new());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotone_input_is_unchanged() {
        let v = [0.1, 0.2, 0.2, 0.5];
        assert_eq!(pava(&v, &[1.0; 4]), v.to_vec());
    }

    #[test]
    fn pools_violators_by_weighted_mean() {
        // 0.4 (w 1) then 0.1 (w 3) pool to 0.175; the pool then violates nothing.
        let out = pava(&[0.0, 0.4, 0.1, 0.6], &[1.0, 1.0, 3.0, 1.0]);
        let expect = [0.0, 0.175, 0.175, 0.6];
        for (a, b) in out.iter().zip(expect) {
            assert!((a - b).abs() < 1e-12, "{out:?}");
        }
    }

    #[test]
    fn cascading_pools() {
        // 0.5, 0.4, 0.3 with equal weights pool to 0.4 everywhere.
        let out = pava(&[0.5, 0.4, 0.3], &[1.0; 3]);
        for a in out {
            assert!((a - 0.4).abs() < 1e-12);
        }
    }
}
