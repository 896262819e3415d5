use sqlx::{ConnectOptions, Connection};
use std::time::Instant;
#[tokio::test]
async fn timing() {
    for mode in ["disable", "prefer"] {
        let url = format!("postgres://postgres@127.0.0.1:5432/test?sslmode={mode}");
        for _ in 0..3 {
            let opts = blueprint_server::preflight::postgres::connect_options(
                &url,
                std::time::Duration::from_secs(3),
            )
            .unwrap();
            let t = Instant::now();
            let mut c = opts.connect().await.unwrap();
            let t1 = t.elapsed();
            let mut tx = c.begin_with("BEGIN READ ONLY").await.unwrap();
            let t2 = t.elapsed();
            let _: i32 = sqlx::query_scalar("SELECT $1::int")
                .bind(1i32)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            let t3 = t.elapsed();
            tx.rollback().await.unwrap();
            let t4 = t.elapsed();
            c.close().await.unwrap();
            let t5 = t.elapsed();
            eprintln!(
                "{mode}: connect {t1:?} begin {t2:?} query {t3:?} rollback {t4:?} close {t5:?}"
            );
        }
    }
}
