//! In-process costs of the verify path: the key codec and key ids, the hash, one lookup by hash at
//! 1k / 10k / 100k / 1M keys, and batches of verifies with and without last-used writes.
//!
//! Run with `cargo bench --bench verify`. Stores are built once into
//! `target/bench-stores/` (the 1M store takes a few seconds).

mod support;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use seenty_keys::domain::key::{self, KeyHash};
use seenty_keys::domain::key_id::IdCodec;
use seenty_keys::store::{self, Location, Stamp, Uses};

const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

fn codec(c: &mut Criterion) {
    let secret = key::Secret::generate().expect("random");
    let text = secret.expose().as_bytes().to_vec();
    c.bench_function("codec/generate", |b| {
        b.iter(|| key::Secret::generate().expect("random"))
    });
    c.bench_function("codec/check+hash", |b| {
        b.iter(|| key::check(std::hint::black_box(&text)))
    });
    c.bench_function("codec/sha256", |b| {
        b.iter(|| KeyHash::of(std::hint::black_box(&text)))
    });
    let mut typo = text.clone();
    typo[10] ^= 0x01;
    c.bench_function("codec/reject_typo", |b| {
        b.iter(|| key::check(std::hint::black_box(&typo)))
    });
    // The id every output line carries, derived from the row (schema 4).
    let ids = IdCodec::new(&[7; 16]);
    let id = ids.encode(123_456);
    c.bench_function("codec/key_id_encode", |b| {
        b.iter(|| ids.encode(std::hint::black_box(123_456)))
    });
    c.bench_function("codec/key_id_decode", |b| {
        b.iter(|| ids.decode(std::hint::black_box(&id)))
    });
}

fn hashes(n: usize) -> (Box<dyn store::Store + Send>, Vec<KeyHash>) {
    let dir = support::dir_for(n);
    let db = support::build(n, &dir).expect("bench store");
    // The figures are for a store in the page cache, as a store in use is: read it once
    // so that no lookup waits on the disk.
    std::fs::read(&db).expect("warm the page cache");
    let store = store::open(&Location::Sqlite(db)).expect("open");
    let hashes = support::secrets(&dir)
        .iter()
        .map(|k| KeyHash::of(k.as_bytes()))
        .collect();
    (store, hashes)
}

fn lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup");
    for n in SIZES {
        let (mut store, hashes) = hashes(n);
        let mut i = 0usize;
        group.bench_function(format!("{n}"), |b| {
            b.iter(|| {
                // Stride through the keys so successive lookups touch different pages.
                i = (i + 7919) % hashes.len();
                // One lookup in its own read transaction, through the mapped file as the
                // bulk readers (`verify --batch`) read it.
                let mut found = None;
                store
                    .lookup_many(std::slice::from_ref(&hashes[i]), &mut |_, m| {
                        found = m;
                        Ok(())
                    })
                    .expect("lookup");
                found.expect("found")
            })
        });
    }
    group.finish();
}

/// 10k verifies as `verify --batch` does them: lookups in one read transaction, then the
/// last-used writes in one write transaction.
fn batch(c: &mut Criterion) {
    let mut group = c.benchmark_group("batch10k");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(10_000));
    for n in [100_000, 1_000_000] {
        let (mut store, hashes) = hashes(n);
        let stamp = Stamp {
            now: chrono::Utc::now(),
            actor: "bench".into(),
        };
        let mut start = 0usize;
        for touch in [false, true] {
            let name = format!("{n}/{}", if touch { "touch" } else { "read-only" });
            group.bench_function(name, |b| {
                b.iter_batched(
                    || {
                        start = (start + 10_000) % (hashes.len() - 10_000);
                        hashes[start..start + 10_000].to_vec()
                    },
                    |chunk| {
                        let mut uses = Uses::default();
                        store
                            .lookup_many(&chunk, &mut |_, m| {
                                if let (true, Some(m)) = (touch, m) {
                                    uses.touch(m.handle, stamp.now);
                                }
                                Ok(())
                            })
                            .expect("lookups");
                        store.record_uses(&uses, &stamp).expect("record");
                    },
                    BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

criterion_group!(benches, codec, lookup, batch);
criterion_main!(benches);
