//! Weighted isotonic (non-decreasing) regression by the pool-adjacent-violators algorithm (PAVA),
//! as used by BOIN's MTD selection (Liu & Yuan 2015; R `BOIN::select.mtd`).

/// One block of pooled points: (weighted mean, total weight, number of points).
pub type Block = (f64, f64, usize);

/// The blocks of the weighted isotonic regression of a stream of (value, weight) points, lowest
/// first, written to the start of `blocks` (which needs room for one block per point); returns how
/// many. Every point of a block takes the block's mean.
pub fn pava_blocks(points: impl Iterator<Item = (f64, f64)>, blocks: &mut [Block]) -> usize {
    let mut top = 0;
    for (v, w) in points {
        let mut block = (v, w, 1usize);
        while top > 0 {
            let (mean, weight, len) = blocks[top - 1];
            if mean <= block.0 {
                break;
            }
            top -= 1;
            let total = weight + block.1;
            block = ((mean * weight + block.0 * block.1) / total, total, len + block.2);
        }
        blocks[top] = block;
        top += 1;
    }
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Weighted isotonic regression of `values`, returned as a new vector.
    fn pava(values: &[f64], weights: &[f64]) -> Vec<f64> {
        assert_eq!(values.len(), weights.len());
        let mut blocks = vec![(0.0, 0.0, 0); values.len()];
        let count = pava_blocks(values.iter().copied().zip(weights.iter().copied()), &mut blocks);
        blocks[..count]
            .iter()
            .flat_map(|&(mean, _, len)| std::iter::repeat_n(mean, len))
            .collect()
    }

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
