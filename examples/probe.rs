use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let sql = std::env::args()
        .nth(2)
        .unwrap_or("SELECT count(*) FROM sqlite_master".into());
    let mut best = [f64::MAX; 4];
    for _ in 0..200 {
        let t0 = Instant::now();
        let c = rusqlite::Connection::open(&path).unwrap();
        let t1 = Instant::now();
        c.execute_batch("PRAGMA wal_autocheckpoint=0").unwrap();
        let t2 = Instant::now();
        let _: i64 = c.query_row(&sql, [], |r| r.get(0)).unwrap();
        let t3 = Instant::now();
        drop(c);
        let t4 = Instant::now();
        for (b, d) in best.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3]) {
            *b = b.min(d.as_secs_f64() * 1e6);
        }
    }
    println!(
        "open {:.1}  first (schema) {:.1}  query {:.1}  close {:.1} us",
        best[0], best[1], best[2], best[3]
    );
}
