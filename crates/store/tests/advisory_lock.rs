//! The advisory lock behind "one poller per deployment" without Redis: one holder at a time,
//! and the lock moves on when its holder lets go or its session dies.

use store::AdvisoryLock;
use store::testing::TestDb;

/// A lock key no other test uses.
fn unique_key() -> i64 {
    i64::from_le_bytes(uuid::Uuid::new_v4().as_bytes()[..8].try_into().unwrap())
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn only_one_contender_holds_the_lock_and_release_hands_it_over() {
    let db = TestDb::postgres().await;
    let key = unique_key();
    let mut first = AdvisoryLock::new(&db.url, key);
    let mut second = AdvisoryLock::new(&db.url, key);
    assert!(first.try_hold().await.unwrap());
    assert!(!second.try_hold().await.unwrap());
    // Holding is sticky: asking again keeps it, the other still cannot have it.
    assert!(first.try_hold().await.unwrap());
    assert!(!second.try_hold().await.unwrap());
    first.release().await;
    assert!(second.try_hold().await.unwrap());
    assert!(!first.try_hold().await.unwrap());
    second.release().await;
    first.release().await;
    db.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn a_dead_session_frees_the_lock() {
    let db = TestDb::postgres().await;
    let key = unique_key();
    let mut holder = AdvisoryLock::new(&db.url, key);
    let mut standby = AdvisoryLock::new(&db.url, key);
    assert!(holder.try_hold().await.unwrap());
    assert!(!standby.try_hold().await.unwrap());
    // Dropping the value drops its connection without unlocking, as a killed process would.
    drop(holder);
    let mut taken = false;
    for _ in 0..50 {
        if standby.try_hold().await.unwrap() {
            taken = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(taken, "the lock was not freed when its session ended");
    standby.release().await;
    db.finish().await;
}
