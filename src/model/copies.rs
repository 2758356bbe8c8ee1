//! The version copies of a detailed run, as its parts recorded them.

use std::ops::Range;

use rayon::prelude::*;

use super::CopyRecord;

/// Every version copy of a detailed run, in image order (then version, then the image's
/// target order). A run split into parts keeps one list per part, in part order: joining
/// them would move every copy once more into fresh memory (80 MB for an 8,000-lab fleet),
/// in a step no other thread can help with. Compared, printed and serialised as one list,
/// however it is split.
#[derive(Clone, Default)]
pub struct Copies {
    lists: Vec<Vec<CopyRecord>>,
    /// Where each list ends in the whole: running totals of the lists' lengths.
    ends: Vec<usize>,
}

impl Copies {
    /// The copies of `lists`, one after the other.
    pub fn from_lists(lists: Vec<Vec<CopyRecord>>) -> Copies {
        let ends = lists
            .iter()
            .scan(0, |end, list| {
                *end += list.len();
                Some(*end)
            })
            .collect();
        Copies { lists, ends }
    }

    /// How many copies.
    pub fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The copies in order.
    pub fn iter(&self) -> impl Iterator<Item = &CopyRecord> + '_ {
        self.lists.iter().flatten()
    }

    /// The copies `range` of the whole, in order.
    pub fn range(&self, range: Range<usize>) -> impl Iterator<Item = &CopyRecord> + '_ {
        self.lists
            .iter()
            .zip(&self.ends)
            .flat_map(move |(list, &end)| {
                let start = end - list.len();
                let clip = |i: usize| i.clamp(start, end) - start;
                &list[clip(range.start)..clip(range.end)]
            })
    }

    /// `f` of every copy, in order, computed in parallel.
    pub fn par_map<T: Send>(&self, f: impl Fn(&CopyRecord) -> T + Sync + Send) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        for list in &self.lists {
            out.par_extend(list.par_iter().map(&f));
        }
        out
    }
}

impl From<Vec<CopyRecord>> for Copies {
    fn from(list: Vec<CopyRecord>) -> Copies {
        Copies::from_lists(vec![list])
    }
}

impl PartialEq for Copies {
    fn eq(&self, other: &Copies) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Copies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl serde::Serialize for Copies {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The length up front: a flattened iterator does not know it, and postcard needs it.
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for copy in self.iter() {
            seq.serialize_element(copy)?;
        }
        seq.end()
    }
}

impl<'de> serde::Deserialize<'de> for Copies {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Copies, D::Error> {
        Vec::<CopyRecord>::deserialize(deserializer).map(Copies::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::RegionId;
    use crate::engine::{MaybeTime, Time};
    use crate::model::TargetLines;

    fn copy(version: u32) -> CopyRecord {
        CopyRecord {
            image: 0,
            version,
            region: RegionId(0),
            replicas: 1,
            available_at: MaybeTime::at(Time(u64::from(version))),
            deleted_at: MaybeTime::NONE,
            used_gb: 1.0,
            lines: TargetLines {
                storage: 0,
                egress: None,
            },
            storage_quantity: 0.0,
        }
    }

    #[test]
    fn lists_read_as_one_in_order_with_empty_lists_anywhere() {
        let lists: Vec<Vec<CopyRecord>> = [vec![], vec![0, 1, 2], vec![], vec![3], vec![4, 5]]
            .into_iter()
            .map(|l| l.into_iter().map(copy).collect())
            .collect();
        let copies = Copies::from_lists(lists);
        assert_eq!(copies.len(), 6);
        let versions: Vec<u32> = copies.iter().map(|c| c.version).collect();
        assert_eq!(versions, [0, 1, 2, 3, 4, 5]);
        for (from, to) in [(0, 6), (0, 0), (1, 4), (2, 3), (3, 6), (4, 5), (6, 6)] {
            let part: Vec<u32> = copies.range(from..to).map(|c| c.version).collect();
            assert_eq!(part, versions[from..to], "{from}..{to}");
        }
        assert_eq!(copies.par_map(|c| c.version * 10), [0, 10, 20, 30, 40, 50]);
        // Shards carry them as one flat list (postcard needs the length up front).
        let flat: Copies = postcard::from_bytes(&postcard::to_stdvec(&copies).unwrap()).unwrap();
        assert_eq!(
            flat,
            Copies::from(copies.iter().cloned().collect::<Vec<_>>())
        );
        assert_eq!(flat.lists.len(), 1);
        assert!(Copies::default().is_empty());
    }
}
