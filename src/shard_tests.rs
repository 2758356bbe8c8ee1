use super::*;

#[test]
fn shards_cover_every_run_once() {
    for runs in [1u32, 7, 100, 1000] {
        for count in [1u32, 2, 3, 7, 16] {
            let mut next = 0;
            for index in 1..=count {
                let r = Shard { index, count }.runs(runs);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, runs);
        }
    }
    assert_eq!(Shard::parse("3/8").unwrap(), Shard { index: 3, count: 8 });
    assert!(Shard::parse("0/8").is_err() && Shard::parse("9/8").is_err());
    assert!(Shard::parse("x").is_err());
}

#[test]
fn an_empty_shard_is_described_as_such() {
    let empty = Shard { index: 5, count: 8 };
    assert!(empty.runs(4).is_empty());
    assert!(
        empty
            .describe(4)
            .starts_with("no runs in this shard (4 runs over 8 shards)"),
        "{}",
        empty.describe(4)
    );
    assert_eq!(
        Shard { index: 3, count: 8 }.describe(1000),
        "runs 251..375 of 1000"
    );
}

#[test]
fn recorded_budget_options_pass_the_command_line_checks() {
    let ok = |monthly, total, fail_over| {
        BudgetOptions {
            monthly,
            total,
            fail_over,
        }
        .check()
        .is_ok()
    };
    assert!(ok(None, None, None));
    assert!(ok(Some(300.0), None, Some(0.9)));
    assert!(ok(None, Some(0.0), Some(1.0)));
    assert!(!ok(Some(f64::NAN), None, None));
    assert!(!ok(None, Some(-1.0), None));
    assert!(!ok(Some(f64::INFINITY), None, None));
    assert!(!ok(Some(300.0), None, Some(7.0)));
    assert!(!ok(None, None, Some(0.5)));
}
