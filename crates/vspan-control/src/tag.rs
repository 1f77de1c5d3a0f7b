//! Tags and resource groups on sessions and filters. These change metadata only: they are
//! allowed in any status and settle at once.

use crate::{Caller, Control, Result, WriteOpts};
use vspan_model::{Kind, ModelError, Tag, tag};
use vspan_store::{Page, TagQuery, TagRow, Tx};

/// The resource types that carry tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taggable {
    Session,
    Filter,
}

impl Taggable {
    /// The value stored in the tags table.
    pub fn stored(self) -> &'static str {
        match self {
            Taggable::Session => "session",
            Taggable::Filter => "filter",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Taggable::Session => Kind::Session,
            Taggable::Filter => Kind::Filter,
        }
    }
}

/// How tags change on one resource.
enum TagChange<'a> {
    Add(&'a [Tag]),
    Remove(&'a [String]),
    RemoveAll,
    ResourceGroup(&'a str),
}

impl Control {
    async fn change_tags(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        kind: Taggable,
        id: &str,
        change: &TagChange<'_>,
    ) -> Result<()> {
        let max = self.quotas().tags_per_resource;
        let apply = |tags: &mut Vec<Tag>, rg: &mut Option<String>| -> Result<()> {
            match change {
                TagChange::Add(new) => tag::merge(tags, new, max)?,
                TagChange::Remove(keys) => tags.retain(|t| !keys.contains(&t.key)),
                TagChange::RemoveAll => tags.clear(),
                TagChange::ResourceGroup(g) => *rg = Some((*g).to_owned()),
            }
            Ok(())
        };
        match kind {
            Taggable::Session => {
                let mut s =
                    tx.get_session(&caller.scope, id).await?.ok_or_else(|| ModelError::not_found(kind.kind(), id))?;
                apply(&mut s.tags, &mut s.resource_group_id)?;
                tx.put_session(&caller.scope, &s).await?;
            }
            Taggable::Filter => {
                let mut f =
                    tx.get_filter(&caller.scope, id).await?.ok_or_else(|| ModelError::not_found(kind.kind(), id))?;
                apply(&mut f.tags, &mut f.resource_group_id)?;
                tx.put_filter(&caller.scope, &f).await?;
            }
        }
        Ok(())
    }

    async fn change_all(
        &self,
        caller: &Caller,
        opts: &WriteOpts,
        kind: Taggable,
        ids: &[String],
        change: TagChange<'_>,
    ) -> Result<()> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        for id in ids {
            self.change_tags(&mut *tx, caller, kind, id, &change).await?;
        }
        tx.bump_revision().await?;
        self.finish(tx, caller, opts, ()).await
    }

    pub async fn tag_resources(
        &self,
        caller: &Caller,
        opts: &WriteOpts,
        kind: Taggable,
        ids: &[String],
        tags: &[Tag],
    ) -> Result<()> {
        for t in tags {
            tag::validate(t)?;
        }
        self.change_all(caller, opts, kind, ids, TagChange::Add(tags)).await
    }

    /// Removes the tags with `keys` from each resource, or all its tags when `all`.
    pub async fn untag_resources(
        &self,
        caller: &Caller,
        opts: &WriteOpts,
        kind: Taggable,
        ids: &[String],
        keys: &[String],
        all: bool,
    ) -> Result<()> {
        let change = if all { TagChange::RemoveAll } else { TagChange::Remove(keys) };
        self.change_all(caller, opts, kind, ids, change).await
    }

    pub async fn move_resource_group(
        &self,
        caller: &Caller,
        opts: &WriteOpts,
        kind: Taggable,
        id: &str,
        group: &str,
    ) -> Result<()> {
        self.change_all(caller, opts, kind, std::slice::from_ref(&id.to_owned()), TagChange::ResourceGroup(group)).await
    }

    pub async fn list_tags(&self, caller: &Caller, q: &TagQuery) -> Result<Page<TagRow>> {
        let mut tx = self.store.read().await?;
        self.gate(&mut *tx, caller, false).await?;
        Ok(tx.list_tags(&caller.scope, q).await?)
    }
}
