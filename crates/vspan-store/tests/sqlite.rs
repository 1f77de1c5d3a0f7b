//! The SQLite store against a real database file: transactions commit or roll back whole,
//! the schema survives a reopen, and the kept session count matches the rows.

use vspan_model::{Scope, Session, Status, TargetType};
use vspan_store::{SessionQuery, SqliteStore, Store};

fn session(id: &str, priority: u32, source: &str) -> Session {
    Session {
        id: id.into(),
        name: None,
        description: None,
        filter_id: "tmf-1".into(),
        sources: vec![source.into()],
        target_id: "eni-t".into(),
        target_type: TargetType::NetworkInterface,
        vni: 1,
        packet_length: 1500,
        priority,
        enabled: false,
        resource_group_id: None,
        tags: vec![],
        status: Status::Created,
        created_ms: 0,
        updated_ms: 0,
        revision: 0,
        settle_at_ms: None,
    }
}

#[tokio::test]
async fn writes_commit_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let scope = Scope::new("a", "r");
    {
        let mut tx = store.write().await.unwrap();
        tx.put_session(&scope, &session("tms-1", 1, "eni-1")).await.unwrap();
        tx.bump_revision().await.unwrap();
        // dropped without commit: rolled back
    }
    let mut tx = store.write().await.unwrap();
    assert!(tx.get_session(&scope, "tms-1").await.unwrap().is_none());
    assert_eq!(tx.revision().await.unwrap(), 0);
    tx.put_session(&scope, &session("tms-1", 1, "eni-1")).await.unwrap();
    tx.put_session(&scope, &session("tms-2", 2, "eni-1")).await.unwrap();
    assert_eq!(tx.bump_revision().await.unwrap(), 1);
    tx.commit().await.unwrap();

    let mut r = store.read().await.unwrap();
    assert_eq!(r.sessions_with_source(&scope, "eni-1").await.unwrap().len(), 2);
    assert_eq!(r.sessions_with_target(&scope, "eni-t").await.unwrap().len(), 2);
    assert_eq!(r.sessions_with_priority(&scope, 2).await.unwrap()[0].id, "tms-2");
    // another scope sees nothing
    assert!(r.get_session(&Scope::new("b", "r"), "tms-1").await.unwrap().is_none());
}

#[tokio::test]
async fn kept_count_matches_rows_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let scope = Scope::new("a", "r");
    {
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let mut tx = store.write().await.unwrap();
        for i in 0..5 {
            tx.put_session(&scope, &session(&format!("tms-{i}"), i + 1, "eni-1")).await.unwrap();
        }
        // an update is not a second session
        tx.put_session(&scope, &session("tms-0", 1, "eni-2")).await.unwrap();
        tx.delete_session("tms-3").await.unwrap();
        tx.commit().await.unwrap();
    }
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let mut r = store.read().await.unwrap();
    let all = r.list_sessions(&scope, &SessionQuery { limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!(all.total, 4);
    assert!(all.more);
    let filtered = r
        .list_sessions(&scope, &SessionQuery { source_id: Some("eni-1".into()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(filtered.total, 3);
    assert_eq!(r.get_session(&scope, "tms-0").await.unwrap().unwrap().sources, vec!["eni-2"]);
}
